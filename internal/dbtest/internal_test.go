package dbtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestDSNReplacer(t *testing.T) {
	t.Parallel()
	for _, base := range []string{
		"postgres://u:secret@db.example:6543/orig?sslmode=require&application_name=x",
		"postgresql://u@/orig?host=%2Fvar%2Frun%2Fpostgresql",
		"host=db.example port=6543 user=u dbname=orig sslmode=require",
	} {
		replace, err := dsnReplacer(base)
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		want, err := pgx.ParseConfig(base)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.ParseConfig(replace("t_1_other"))
		if err != nil {
			t.Fatalf("%s: %v", replace("t_1_other"), err)
		}
		if got.Database != "t_1_other" {
			t.Errorf("%s: database %q, want t_1_other", base, got.Database)
		}
		if got.Host != want.Host || got.Port != want.Port || got.User != want.User || got.Password != want.Password ||
			(got.TLSConfig == nil) != (want.TLSConfig == nil) {
			t.Errorf("%s: connection settings changed besides the database", base)
		}
	}
}

func TestUniqueName(t *testing.T) {
	t.Parallel()
	s := &server{runID: "abc123"}
	valid := regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
	seen := map[string]bool{}
	for _, name := range []string{
		"TestX",
		"TestX",
		"TestSomething/sub_test#01",
		"Test" + strings.Repeat("VeryLongName", 10),
		"Test/ünïcødé and spaces",
	} {
		got := s.uniqueName(name)
		if !valid.MatchString(got) {
			t.Errorf("uniqueName(%q) = %q: not a short lower-case identifier", name, got)
		}
		if seen[got] {
			t.Errorf("uniqueName(%q) = %q twice", name, got)
		}
		seen[got] = true
	}
}

func TestRemoveOrphans(t *testing.T) {
	t.Parallel()
	// A finished process's pid stands for a test binary that died.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	orphan, err := os.MkdirTemp("", tempPrefix+strconv.Itoa(dead.Process.Pid)+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(orphan, "data", "base"), 0o700); err != nil {
		t.Fatal(err)
	}
	// pid 1 is alive: its directory belongs to a running test binary.
	alive, err := os.MkdirTemp("", tempPrefix+"1-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(alive)

	removeOrphans(t.Context())

	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		os.RemoveAll(orphan)
		t.Errorf("orphaned %s was not removed (err %v)", orphan, err)
	}
	if _, err := os.Stat(alive); err != nil {
		t.Errorf("the directory of a running test binary was removed: %v", err)
	}
}

// TestSharedServerEndsWithItsRun runs one of this binary's database tests
// under a stand-in for the go command (a shell started as "go test"), checks
// that the run directory named after that parent exists once the child test
// has finished (the keeper, not the child, owns the server), and that the
// directory and server are gone once the parent has exited.
func TestSharedServerEndsWithItsRun(t *testing.T) {
	t.Parallel()
	if os.Getenv(EnvURL) != "" {
		t.Skip("using TEST_DATABASE_URL's server")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	// "go test" runs the script named test in dir, in a process whose
	// command line reads go test, as the real go command's does.
	if err := os.Symlink(sh, filepath.Join(dir, "go")); err != nil {
		t.Fatal(err)
	}
	script := strconv.Quote(exe) + " -test.run='^TestParallelTestsGetTheirOwnDatabase$' -test.count=1 || exit 1\n" +
		"ls -d \"${TMPDIR:-/tmp}\"/" + runPrefix + "$$-*\n"
	if err := os.WriteFile(filepath.Join(dir, "test"), []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(dir, "go"), "test")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child run: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?m)^(/\S*` + regexp.QuoteMeta(runPrefix) + `(\d+)-\d+)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no run directory existed after the child's tests:\n%s", out)
	}
	runDir := string(m[1])
	if string(m[2]) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("run directory %s is not named after the stand-in go command (pid %d)", runDir, cmd.Process.Pid)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := os.Stat(runDir)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(runDir, "keeper.log"))
			t.Fatalf("%s still exists 30 s after its run ended (keeper log: %s)", runDir, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
