package testcluster

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Name prefixes of directories the harness creates outside a caller's Dir.
// Each embeds the creating process's pid so that a later run can tell a
// leftover (its creator is gone) from a directory in use.
const (
	tempDirPrefix = "kfsui-testcluster-"
	shmDirPrefix  = "kfsui-etcd-"
)

// shmDir holds etcd's data when there is room: etcd fsyncs on every write,
// and on tmpfs that costs nothing, which shortens apiserver startup (it
// writes hundreds of bootstrap objects) and every test that creates objects.
const shmDir = "/dev/shm"

// shmMinFree is the free space /dev/shm must have before etcd's data goes
// there. etcd preallocates 64 MiB WAL segments, and container runtimes often
// give /dev/shm only 64 MiB in total.
const shmMinFree = 512 << 20

// makeWorkDir returns the absolute working directory for dir, creating it;
// an empty dir means a fresh temporary directory, which the caller removes.
func makeWorkDir(dir string) (path string, temporary bool, err error) {
	if dir == "" {
		prefix := tempDirPrefix + strconv.Itoa(os.Getpid()) + "-"
		path, err := os.MkdirTemp("", prefix)
		if err != nil {
			return "", false, fmt.Errorf("creating working directory: %w", err)
		}
		return path, true, nil
	}
	path, err = filepath.Abs(dir)
	if err != nil {
		return "", false, fmt.Errorf("resolving working directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return "", false, fmt.Errorf("creating working directory: %w", err)
	}
	return path, false, nil
}

// makeEtcdDataDir returns an empty directory for etcd's data: in /dev/shm
// when it has room (inShm reports this; the caller removes it), else
// <workDir>/etcd. Any data from an earlier run is discarded, because every
// Start is a fresh cluster: its certificates and ports are new, and etcd's
// stored membership would name the old peer port.
func makeEtcdDataDir(workDir string) (path string, inShm bool, err error) {
	if shmHasRoom() {
		prefix := shmDirPrefix + strconv.Itoa(os.Getpid()) + "-"
		if path, err := os.MkdirTemp(shmDir, prefix); err == nil {
			return path, true, nil
		}
	}
	path = filepath.Join(workDir, "etcd")
	if err := os.RemoveAll(path); err != nil {
		return "", false, fmt.Errorf("clearing old etcd data: %w", err)
	}
	if err := os.Mkdir(path, 0o700); err != nil {
		return "", false, fmt.Errorf("creating etcd data directory: %w", err)
	}
	return path, false, nil
}

func shmHasRoom() bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(shmDir, &st); err != nil {
		return false
	}
	return st.Bavail*uint64(st.Bsize) >= shmMinFree
}

// removeLeftovers deletes directories that an earlier run of the harness
// created but could not remove because it was killed (a test panic or
// timeout ends the test binary without running Stop). Left alone, the etcd
// data in /dev/shm would keep holding memory until reboot.
func removeLeftovers() {
	sweep := func(parent, prefix string) {
		entries, err := os.ReadDir(parent)
		if err != nil {
			return
		}
		for _, e := range entries {
			pid, ok := creatorPID(e.Name(), prefix)
			if ok && !processAlive(pid) {
				_ = os.RemoveAll(filepath.Join(parent, e.Name()))
			}
		}
	}
	sweep(shmDir, shmDirPrefix)
	sweep(os.TempDir(), tempDirPrefix)
}

// creatorPID parses the pid out of a name "<prefix><pid>-<random>".
func creatorPID(name, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	pidText, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	return pid, err == nil && pid > 0
}

// processAlive reports whether pid exists. Signal 0 checks without
// delivering anything; EPERM means it exists but belongs to someone else.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// freePorts returns n distinct TCP ports that were free on 127.0.0.1 a
// moment ago. Another process can take one before the component binds it;
// Start retries when that happens.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	// Hold every listener until all ports are chosen so the kernel cannot
	// hand out the same port twice.
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
