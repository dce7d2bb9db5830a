package testcluster

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed kube-version
var versionFile string

// Version is the pinned Kubernetes version (for example "v1.36.3") whose
// kube-apiserver, kube-controller-manager, kube-scheduler and kubectl the
// harness runs. It is read from the file
// kube-version, which scripts/kube-binaries.sh also reads, so the build
// script and the harness cannot disagree.
var Version = strings.TrimSpace(versionFile)

// kubeBinaries are the binaries of the pinned release the harness runs,
// all built by scripts/kube-binaries.sh.
var kubeBinaries = []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"}

// Environment variables that override where the binaries are found, for
// machines that keep them elsewhere (CI caches, distribution packages).
const (
	envKubeBinDir = "KFSUI_KUBE_BIN_DIR"
	envEtcd       = "KFSUI_ETCD"
)

// BinDir returns the directory holding the pinned kubeBinaries: $KFSUI_KUBE_BIN_DIR if set, else the directory
// scripts/kube-binaries.sh fills, ${XDG_CACHE_HOME:-~/.cache}/kfsui/kube/<Version>.
// It fails, naming the script that fixes it, if any of them is missing.
func BinDir() (string, error) {
	dir := os.Getenv(envKubeBinDir)
	if dir == "" {
		// os.UserCacheDir honours XDG_CACHE_HOME and falls back to
		// ~/.cache on Linux, which is exactly what the script uses.
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("locating the kube binaries: %w", err)
		}
		dir = filepath.Join(cache, "kfsui", "kube", Version)
	}
	var missing []string
	for _, name := range kubeBinaries {
		if !isExecutable(filepath.Join(dir, name)) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("%s %s not found in %s: run scripts/kube-binaries.sh to build them (or set %s)",
			strings.Join(missing, ", "), Version, dir, envKubeBinDir)
	}
	return dir, nil
}

// EtcdPath returns the etcd binary to run: $KFSUI_ETCD if set, else etcd
// from PATH, else /usr/bin/etcd, where Debian's etcd-server package puts it
// (sbin-less PATHs in containers often miss it otherwise).
func EtcdPath() (string, error) {
	if p := os.Getenv(envEtcd); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("%s=%s is not an executable file", envEtcd, p)
		}
		return p, nil
	}
	if p, err := exec.LookPath("etcd"); err == nil {
		return p, nil
	}
	const debianPath = "/usr/bin/etcd"
	if isExecutable(debianPath) {
		return debianPath, nil
	}
	return "", errors.New("etcd not found on PATH or at /usr/bin/etcd: apt-get install etcd-server (or set " + envEtcd + ")")
}

// cachedProgram returns the program name at version that script builds
// into ${XDG_CACHE_HOME:-~/.cache}/kfsui/<name>/<version>/<name>, or
// $env if set; it fails naming the script when the program is missing.
func cachedProgram(env, name, version, script string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if !isExecutable(p) {
			return "", fmt.Errorf("%s=%s is not an executable file", env, p)
		}
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating %s: %w", name, err)
	}
	p := filepath.Join(cache, "kfsui", name, version, name)
	if !isExecutable(p) {
		return "", fmt.Errorf("%s %s not found at %s: run %s to build it (or set %s)", name, version, p, script, env)
	}
	return p, nil
}

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
