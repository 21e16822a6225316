package pgserver

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAllowsTraverse(t *testing.T) {
	t.Parallel()
	const owner, group = 0, 0
	pg := &serverUser{name: "postgres", uid: 101, gid: 104, groups: []int{104}}
	named := func(base acl, extra ...aclEntry) acl { return append(append(acl(nil), base...), extra...) }
	for _, tc := range []struct {
		name string
		a    acl
		want bool
	}{
		{"0700, no ACL (like /root)", aclFromMode(0o700), false},
		{"0755", aclFromMode(0o755), true},
		{"0711", aclFromMode(0o711), true},
		{"0750, postgres not in the group", aclFromMode(0o750), false},
		{"user:postgres:--x, mask --x (granted by solarview before)", named(aclFromMode(0o700),
			aclEntry{aclUser, 1, 101}, aclEntry{aclMask, 1, aclUndefinedID}), true},
		{"user:postgres:--x, mask r--", named(aclFromMode(0o700),
			aclEntry{aclUser, 1, 101}, aclEntry{aclMask, 4, aclUndefinedID}), false},
		{"group:104:r-x", named(aclFromMode(0o700),
			aclEntry{aclGroup, 5, 104}, aclEntry{aclMask, 5, aclUndefinedID}), true},
	} {
		if got := tc.a.allows(pg, owner, group, permExec); got != tc.want {
			t.Errorf("%s: allows = %v, want %v", tc.name, got, tc.want)
		}
		if round, err := parseACL(tc.a.encode()); err != nil || round.allows(pg, owner, group, permExec) != tc.want {
			t.Errorf("%s: after encode and parse: %v", tc.name, err)
		}
	}
}

func TestParseACLRejectsGarbage(t *testing.T) {
	t.Parallel()
	for _, b := range [][]byte{nil, {2, 0, 0}, {1, 0, 0, 0}, aclFromMode(0o700)[:2].encode()} {
		if _, err := parseACL(b); err == nil {
			t.Errorf("parseACL(%v) accepted it", b)
		}
	}
}

// TestRootChangesNoPermissions is issue 12's third problem: as root,
// solarview added ACLs for the postgres user to /root and every directory
// down to its data directory. Now a data directory below a 0700 directory
// it did not create is refused in one line that says what to run, and the
// directory's mode and ACL stay as they were.
func TestRootChangesNoPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux")
	}
	if _, err := user.Lookup(serverUserName); err != nil {
		t.Skip("no postgres user")
	}
	if _, err := FindBinDir(); err != nil {
		t.Skip(err)
	}
	private := filepath.Join(serverTempDir(t), "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{DataDir: filepath.Join(private, "sv", "pg"), Settings: fastSettings(), Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Start(context.Background())
	if err == nil {
		c.Stop(context.Background())
		t.Fatal("Start succeeded below a directory postgres cannot enter")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "cannot enter "+private) || !strings.Contains(msg, "setfacl -m u:postgres:x "+private) {
		t.Errorf("error = %q; want one line naming %s and what to run", msg, private)
	}
	fi, err := os.Stat(private)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("%s: mode changed to %v", private, fi.Mode().Perm())
	}
	if n, err := unix.Getxattr(private, aclXattrName, make([]byte, 256)); err == nil {
		t.Errorf("%s gained an ACL (%d bytes)", private, n)
	}
	if _, err := os.Stat(filepath.Join(private, "sv")); err == nil {
		t.Errorf("Start created %s/sv before refusing", private)
	}
}

func TestRootDefaultDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("SOLARVIEW_DATA_DIR", "")
	if d, err := DefaultDataDir(); err != nil || d != rootDataDir {
		t.Errorf("DefaultDataDir = %q, %v; want %s", d, err, rootDataDir)
	}
	// A cluster made by an earlier version in root's home keeps being used.
	legacy := filepath.Join(home, ".local", "share", "solarview", "postgres")
	if err := os.MkdirAll(legacy, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(legacy, "PG_VERSION"), []byte("15\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err := DefaultDataDir(); err != nil || d != legacy {
		t.Errorf("DefaultDataDir with an existing cluster in HOME = %q, %v; want %s", d, err, legacy)
	}
}
