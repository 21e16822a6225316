package commands

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
)

// TestPsqlPasswordNotOnItsCommandLine is issue 12's second problem: db psql
// put the URL, password included, on psql's command line, which every local
// user can read. While psql runs, its command line must not hold the
// password, and its environment (readable only by its owner) must.
func TestPsqlPasswordNotOnItsCommandLine(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("psql"); err != nil {
		if _, err := findPsql(&Env{}); err != nil {
			t.Skip(err)
		}
	}
	const password = "s3cr3tPW-issue12"
	u, err := url.Parse(dbtest.NewDatabase(t, false))
	if err != nil {
		t.Fatal(err)
	}
	// The test server trusts local connections: the password is carried,
	// not checked, which is all this test needs.
	u.User = url.UserPassword(u.User.Username(), password)
	cmd := runProcess(u.String(), "db", "psql", "-X", "-At", "-c", "SELECT pg_sleep(3)")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := false
	deadline := time.Now().Add(10 * time.Second)
	for !found && time.Now().Before(deadline) {
		for _, pid := range children(cmd.Process.Pid) {
			argv, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
			if err != nil || !bytes.Contains(argv, []byte("psql")) {
				continue
			}
			found = true
			if bytes.Contains(argv, []byte(password)) {
				t.Errorf("psql's command line holds the password: %q", argv)
			}
			if environ, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ"); err == nil &&
				!bytes.Contains(environ, []byte("PGPASSWORD="+password)) {
				t.Error("psql's environment lacks PGPASSWORD")
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("db psql: %v\n%s", err, out.String())
	}
	if !found {
		t.Fatal("never saw psql running; the test proves nothing")
	}
}

// children lists the pids whose parent is pid, from /proc/*/stat (the
// children file lists only one thread's, and Go forks from any thread).
func children(pid int) []int {
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		stat, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		end := bytes.LastIndexByte(stat, ')')
		if end < 0 {
			continue
		}
		// After "pid (comm)": state, then the parent's pid.
		if f := strings.Fields(string(stat[end+1:])); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			if c, err := strconv.Atoi(filepath.Base(filepath.Dir(path))); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

func TestSplitPassword(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, conninfo, password string }{
		{"postgres://alice:s3cr3t@db.example:5433/alicedb?sslmode=require", "postgres://alice@db.example:5433/alicedb?sslmode=require", "s3cr3t"},
		{"postgresql://alice@db.example/alicedb?password=p%26w", "postgresql://alice@db.example/alicedb", "p&w"},
		{"postgres://postgres@/solarview?host=%2Ftmp%2Fsv.run&sslmode=disable", "postgres://postgres@/solarview?host=%2Ftmp%2Fsv.run&sslmode=disable", ""},
		{"host=db user=alice password=s3cr3t dbname=alicedb", "host=db user=alice dbname=alicedb", "s3cr3t"},
		{`host=db password='it\'s a \\ pw' dbname = 'my db'`, `host=db dbname='my db'`, `it's a \ pw`},
		{`password=a\ b host=db`, "host=db", "a b"},
	} {
		conninfo, password, err := splitPassword(tt.in)
		if err != nil || conninfo != tt.conninfo || password != tt.password {
			t.Errorf("splitPassword(%q) = %q, %q, %v; want %q, %q", tt.in, conninfo, password, err, tt.conninfo, tt.password)
		}
	}
	if _, _, err := splitPassword("host='unterminated"); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}

// TestUnmigratedDatabase is issue 12's sixth problem: commands on a
// database without solarview's tables printed raw SQL errors. They now
// name the database and the command to run, and write nothing.
func TestUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	u, _ := url.Parse(dsn)
	name := strings.TrimPrefix(u.Path, "/")
	file := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(file, []byte("timestamp,import\n2024-01-01T00:00:00+10:00,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dsn)
	for _, args := range [][]string{
		{"sensors"}, {"site", "add", "home"}, {"site", "list"}, {"import", "--site", "home", file},
		{"tariff", "list"}, {"billing", "list"}, {"battery"},
	} {
		r := run(t, dsn, args...)
		want := `solarview: database "` + name + `" is not migrated (`
		if r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, " pending): run solarview migrate\n") {
			t.Errorf("solarview %s: exit %d, stderr %q; want %q…", strings.Join(args, " "), r.code, r.stderr, want)
		}
	}
	if after := snapshot(t, dsn); after != before {
		t.Errorf("commands changed the unmigrated database:\n%s\n%s", before, after)
	}
	mustRun(t, dsn, "migrate")
	if out := mustRun(t, dsn, "sensors"); !strings.Contains(out, "No sensors yet") {
		t.Errorf("sensors after migrate:\n%s", out)
	}
}

// TestOutputIsEscaped is the output half of issue 12's seventh problem:
// text from the database that a terminal would act on (here a sensor's
// location, which no CHECK constrains) is printed escaped.
func TestOutputIsEscaped(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	conn := openPgx(t, dsn)
	if _, err := conn.Exec(context.Background(),
		"INSERT INTO sensors (location, code) VALUES ($1, 'T1')", "garage\x1b]0;pwned\a\x1b[2J\u009b1m"); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dsn, "sensors")
	if strings.ContainsAny(out, "\x1b\a\u009b") {
		t.Errorf("sensors printed control characters raw: %q", out)
	}
	if !strings.Contains(out, `garage\x1b]0;pwned\x07\x1b[2J\u009b1m`) {
		t.Errorf("sensors does not show the location escaped:\n%s", out)
	}
}

func TestProgramName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/tmp/go-build1234567/b001/exe/solarview": "go run ./cmd/solarview",
		// Go 1.24 and later cache what go run builds.
		"/root/.cache/go-build/11/119fdf8cfd37-d/solarview": "go run ./cmd/solarview",
		"solarview":                "solarview",
		"./solarview":              "./solarview",
		"/usr/local/bin/solarview": "/usr/local/bin/solarview",
		"":                         "solarview",
	} {
		if got := programName(in); got != want {
			t.Errorf("programName(%q) = %q, want %q", in, got, want)
		}
	}
}
