package mount

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Fusermount is the helper that mounts and unmounts without privileges,
// from Debian's fuse3.
const Fusermount = "fusermount3"

// CheckMountPoint says in one sentence why dir cannot be mounted on: it
// is missing, not a directory, a dead mount, already a mount point, or
// not empty. nil if kfsui may mount there.
func CheckMountPoint(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, syscall.ENOTCONN):
		return fmt.Errorf("%s is a dead mount (the process that served it is gone): unmount it with %s -u %s", dir, Fusermount, dir)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s does not exist: create an empty directory to mount on", dir)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	mounted, err := IsMounted(dir)
	if err != nil {
		return err
	}
	if mounted {
		return fmt.Errorf("%s is already a mount point: unmount it first (%s -u %s) or choose another directory", dir, Fusermount, dir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err != nil && err != io.EOF {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("%s is not empty: mount on an empty directory", dir)
	}
	return nil
}

// CheckFUSE says what is missing for a FUSE mount: the kernel's device or
// the fusermount3 helper. nil if both are there.
func CheckFUSE() error {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("FUSE is not available: /dev/fuse: %w (load the fuse module, or give a container --device /dev/fuse)", err)
	}
	if _, err := exec.LookPath(Fusermount); err != nil {
		return fmt.Errorf("%s not found: install fuse3 (apt-get install fuse3)", Fusermount)
	}
	return nil
}

// IsMounted reports whether dir is a mount point, from this process's
// mount table.
func IsMounted(dir string) (bool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// ID parentID major:minor root mountpoint options ...
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && unescapeMountinfo(fields[4]) == abs {
			return true, nil
		}
	}
	return false, sc.Err()
}

// unescapeMountinfo undoes the octal escapes (\040 for a space) the kernel
// writes in mountinfo's paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// ForceUnmount detaches dir lazily, as `fusermount3 -u -z` does: for a
// mount whose process is gone, or one still in use when kfsui must end.
func ForceUnmount(dir string) error {
	out, err := exec.Command(Fusermount, "-u", "-z", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s -u -z %s: %s", Fusermount, dir, strings.TrimSpace(string(out)))
	}
	return nil
}
