package pgserver

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"testing"
)

// effective returns what each principal may do under a, as rwx bit sets.
func effective(a acl, owner, group uint32, principals map[string]*serverUser) map[string]uint16 {
	out := map[string]uint16{}
	for name, u := range principals {
		var p uint16
		for _, bit := range []uint16{4, 2, 1} {
			if a.allows(u, owner, group, bit) {
				p |= bit
			}
		}
		out[name] = p
	}
	return out
}

func TestWithTraverseGrantsOnlyPostgres(t *testing.T) {
	t.Parallel()
	const owner, group = 0, 0
	pg := &serverUser{name: "postgres", uid: 101, gid: 104, groups: []int{104}}
	principals := map[string]*serverUser{
		"owner":         {uid: owner, gid: group, groups: []int{group}},
		"owning group":  {uid: 500, gid: group, groups: []int{group}},
		"named user":    {uid: 600, gid: 600, groups: []int{600}},
		"named group":   {uid: 700, gid: 77, groups: []int{77}},
		"someone else":  {uid: 800, gid: 800, groups: []int{800}},
		"postgres user": pg,
	}
	named := func(base acl, extra ...aclEntry) acl { return append(append(acl(nil), base...), extra...) }

	for _, tc := range []struct {
		name string
		in   acl
	}{
		{"0700, no ACL (like /root)", aclFromMode(0o700)},
		{"0750, no ACL", aclFromMode(0o750)},
		{"0741, no ACL", aclFromMode(0o741)},
		{"ACL whose mask lacks x", named(aclFromMode(0o770),
			aclEntry{aclUser, 7, 600}, aclEntry{aclGroup, 5, 77}, aclEntry{aclMask, 6, aclUndefinedID})},
		{"ACL whose mask has x", named(aclFromMode(0o700),
			aclEntry{aclUser, 4, 600}, aclEntry{aclMask, 5, aclUndefinedID})},
		{"postgres already named without x", named(aclFromMode(0o700),
			aclEntry{aclUser, 4, 101}, aclEntry{aclMask, 4, aclUndefinedID})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := effective(tc.in, owner, group, principals)
			out := tc.in.withTraverse(uint32(pg.uid))
			if err := out.validate(); err != nil {
				t.Fatal(err)
			}
			round, err := parseACL(out.encode())
			if err != nil {
				t.Fatal(err)
			}
			after := effective(round, owner, group, principals)
			if after["postgres user"]&permExec == 0 {
				t.Errorf("postgres still cannot traverse: %+v", round)
			}
			if after["postgres user"] != before["postgres user"]|permExec {
				t.Errorf("postgres got %o, want only x added to %o", after["postgres user"], before["postgres user"])
			}
			for name, p := range before {
				if name != "postgres user" && after[name] != p {
					t.Errorf("%s: rights changed from %o to %o", name, p, after[name])
				}
			}
			for i := 1; i < len(round); i++ {
				if round[i-1].tag > round[i].tag || (round[i-1].tag == round[i].tag && round[i-1].id >= round[i].id) {
					t.Errorf("entries not sorted by tag and id: %+v", round)
				}
			}
		})
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

// TestGrantTraverseAsRoot checks the real thing: after grantTraverse the
// postgres user can enter a directory below a 0700 one, and an unrelated
// user still cannot.
func TestGrantTraverseAsRoot(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux")
	}
	pgu, err := user.Lookup(serverUserName)
	if err != nil {
		t.Skip("no postgres user")
	}
	pg, err := parseUser(pgu)
	if err != nil {
		t.Fatal(err)
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		t.Skip("no runuser")
	}
	canEnter := func(who, dir string) bool {
		return exec.Command(runuser, "-u", who, "--", "test", "-x", dir).Run() == nil
	}

	private := filepath.Join(t.TempDir(), "private") // t.TempDir itself is 0700 too
	inner := filepath.Join(private, "inner")
	if err := os.MkdirAll(inner, 0o700); err != nil {
		t.Fatal(err)
	}
	if canEnter(pg.name, inner) {
		t.Fatal("postgres can already enter the test directory; the test proves nothing")
	}
	granted, err := grantTraverse(inner, pg)
	if err != nil {
		t.Fatal(err)
	}
	if len(granted) < 3 { // the temp dirs, private and inner
		t.Errorf("granted on %v, expected the 0700 directories", granted)
	}
	if !canEnter(pg.name, inner) {
		t.Error("postgres cannot enter the directory after grantTraverse")
	}
	if exec.Command(runuser, "-u", pg.name, "--", "ls", private).Run() == nil {
		t.Error("postgres can list the directory: it should only traverse it")
	}
	if canEnter("nobody", inner) {
		t.Error("nobody can enter the directory: access widened for others")
	}
	fi, err := os.Stat(private)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o710 { // group bits now show the mask, --x
		t.Errorf("mode %v, want 0710 (owner rwx, ACL mask --x, other ---)", got)
	}
	// Again: nothing left to grant.
	if again, err := grantTraverse(inner, pg); err != nil || len(again) != 0 {
		t.Errorf("second grantTraverse changed %v, %v", again, err)
	}
}
