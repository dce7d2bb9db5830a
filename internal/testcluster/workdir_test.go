package testcluster

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestCreatorPID(t *testing.T) {
	tests := []struct {
		name    string
		wantPID int
		wantOK  bool
	}{
		{"kfsui-etcd-1234-987654", 1234, true},
		{"kfsui-etcd-1234", 0, false},        // no random suffix: not ours
		{"kfsui-etcd-abc-987654", 0, false},  // pid not a number
		{"kfsui-etcd-0-987654", 0, false},    // pid 0 would signal our own group
		{"other-etcd-1234-987654", 0, false}, // someone else's directory
	}
	for _, tt := range tests {
		pid, ok := creatorPID(tt.name, shmDirPrefix)
		if pid != tt.wantPID || ok != tt.wantOK {
			t.Errorf("creatorPID(%q) = %d, %v; want %d, %v", tt.name, pid, ok, tt.wantPID, tt.wantOK)
		}
	}
}

func TestTailFile(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 100 {
		lines = append(lines, "line "+strconv.Itoa(i))
	}
	path := filepath.Join(dir, "log")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := tailFile(path, 3), "line 97\nline 98\nline 99"; got != want {
		t.Errorf("tailFile = %q, want %q", got, want)
	}

	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := tailFile(empty, 3); got != "(log is empty)" {
		t.Errorf("tailFile of an empty log = %q", got)
	}
}

func TestFileSafe(t *testing.T) {
	if got, want := fileSafe("system:serviceaccount:team-a/x y"), "system_serviceaccount_team-a_x_y"; got != want {
		t.Errorf("fileSafe = %q, want %q", got, want)
	}
}
