package commands

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/solarview/solarview/internal/pgserver"
)

// embedded runs solarview as a separate process (see TestMain) using the
// embedded server in dataDir, with stdin as its input.
func embedded(t *testing.T, dataDir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "SOLARVIEW_DATA_DIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "SOLARVIEW_TEST_MAIN=1", "SOLARVIEW_DATA_DIR="+dataDir)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

func TestDBCommands(t *testing.T) {
	t.Parallel()
	if _, err := pgserver.FindBinDir(); err != nil {
		t.Skip(err)
	}
	dataDir := filepath.Join(serverTempDir(t), "pg")
	// The CLI's server outlives the commands by design; stop it whatever happens.
	t.Cleanup(func() {
		if c, err := pgserver.New(pgserver.Options{DataDir: dataDir}); err == nil {
			_ = c.Stop(context.Background())
		}
	})
	ok := func(stdin string, args ...string) result {
		t.Helper()
		r := embedded(t, dataDir, stdin, args...)
		if r.code != 0 {
			t.Fatalf("solarview %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r
	}

	if r := ok("", "db", "status"); !strings.Contains(r.stdout, "not initialised") || !strings.Contains(r.stdout, dataDir) {
		t.Errorf("status of a fresh data directory:\n%s", r.stdout)
	}

	// Two processes at once on a fresh data directory: one initialises and
	// starts, both print the same working URL.
	var wg sync.WaitGroup
	urls := make([]result, 2)
	for i := range urls {
		wg.Go(func() { urls[i] = embedded(t, dataDir, "", "db", "url") })
	}
	wg.Wait()
	for _, r := range urls {
		if r.code != 0 {
			t.Fatalf("db url: exit %d: %s", r.code, r.stderr)
		}
	}
	if urls[0].stdout != urls[1].stdout || strings.Count(urls[0].stdout, "\n") != 1 {
		t.Fatalf("db url printed %q and %q, want the same single line", urls[0].stdout, urls[1].stdout)
	}
	if n := strings.Count(urls[0].stderr+urls[1].stderr, "initialising"); n != 1 {
		t.Errorf("initialised %d times:\n%s\n%s", n, urls[0].stderr, urls[1].stderr)
	}
	dsn := strings.TrimSpace(urls[0].stdout)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", dsn, err)
	}
	var db string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if db != MainDatabase {
		t.Errorf("db url reaches %q, want %q", db, MainDatabase)
	}

	// Only the main database is created on demand: a typo creates nothing.
	if r := embedded(t, dataDir, "", "db", "psql", "other_db", "-At"); r.code != 1 ||
		r.stderr != "solarview: database \"other_db\" does not exist on the embedded PostgreSQL (it has: solarview)\n" {
		t.Errorf("db psql of a missing database: exit %d, stderr %q", r.code, r.stderr)
	}
	ok("", "db", "psql", "-c", "CREATE DATABASE other_db")
	r := ok("SELECT 'in ' || current_database();\n", "db", "psql", "other_db", "-At")
	if strings.TrimSpace(r.stdout) != "in other_db" {
		t.Errorf("db psql other_db printed %q", r.stdout)
	}
	if r := embedded(t, dataDir, "", "db", "url", "othr_db"); r.code != 1 || !strings.Contains(r.stderr, `did you mean "other_db"?`) {
		t.Errorf("db url of a mistyped database: exit %d, stderr %q", r.code, r.stderr)
	}
	// JIT is off on the server, for psql sessions too (database.Open turns
	// it off in solarview's own).
	if got := strings.TrimSpace(ok("", "db", "psql", "-XAt", "-c", "SELECT setting || ' ' || source FROM pg_settings WHERE name = 'jit'").stdout); got != "off command line" {
		t.Errorf("jit on the embedded server: %q, want off from the command line", got)
	}
	if r := embedded(t, dataDir, "SELECT no_such_column;\n", "db", "psql", "-v", "ON_ERROR_STOP=1"); r.code == 0 {
		t.Error("db psql exited 0 although psql failed")
	}

	// db url with two names refuses before starting or creating anything,
	// and --db names a database that must exist.
	if r := embedded(t, dataDir, "", "db", "url", "a", "b"); r.code != 1 || !strings.Contains(r.stderr, "db url takes at most 1 DB") {
		t.Errorf("db url a b: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := embedded(t, dataDir, "", "--db", "typo", "site", "list"); r.code != 1 || !strings.Contains(r.stderr, `database "typo" does not exist`) {
		t.Errorf("--db typo: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := strings.TrimSpace(ok("", "db", "psql", "-XAt", "-c", "SELECT string_agg(datname, ' ' ORDER BY datname) FROM pg_database").stdout); got != "other_db postgres solarview template0 template1" {
		t.Errorf("databases after the refusals: %q", got)
	}
	// The embedded main database is solarview's own: a new one migrates
	// itself on first use and says so; --db other_db (empty, not new to
	// solarview's migrations either) is migrated the same way.
	if r := ok("", "site", "list"); !strings.Contains(r.stdout, "No sites yet") ||
		!strings.Contains(r.stderr, `note: database "solarview" on the embedded PostgreSQL is new: applying its`) {
		t.Errorf("site list on a new embedded database:\n%s%s", r.stdout, r.stderr)
	}
	if r := ok("", "site", "list"); r.stderr != "" {
		t.Errorf("second site list: stderr %q", r.stderr)
	}
	ok("", "--db", "other_db", "site", "add", "elsewhere")
	if r := ok("", "--db", "other_db", "site", "list"); !strings.Contains(r.stdout, "elsewhere") {
		t.Errorf("--db other_db site list:\n%s", r.stdout)
	}
	if r := ok("", "site", "list"); strings.Contains(r.stdout, "elsewhere") {
		t.Errorf("--db other_db wrote into the main database:\n%s", r.stdout)
	}
	// demo, --reset above all, never touches a database holding data.
	for _, args := range [][]string{{"--db", "other_db", "demo", "--reset"}, {"--db", "solarview", "demo"}} {
		if r := embedded(t, dataDir, "", args...); r.code != 1 || !strings.Contains(r.stderr, "that solarview demo did not create") {
			t.Errorf("solarview %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if r := ok("", "--db", "other_db", "site", "list"); !strings.Contains(r.stdout, "elsewhere") {
		t.Errorf("demo --reset emptied other_db:\n%s", r.stdout)
	}

	if r := ok("", "db", "status"); !strings.Contains(r.stdout, "running (pid ") {
		t.Errorf("status while running:\n%s", r.stdout)
	}
	if r := ok("", "db", "stop"); !strings.Contains(r.stdout, "Stopped") {
		t.Errorf("stop:\n%s", r.stdout)
	}
	if r := ok("", "db", "status"); !strings.Contains(r.stdout, ": stopped") {
		t.Errorf("status after stop:\n%s", r.stdout)
	}
	if r := ok("", "db", "stop"); !strings.Contains(r.stdout, "not running") {
		t.Errorf("second stop:\n%s", r.stdout)
	}
	if r := ok("", "db", "start"); !strings.Contains(r.stdout, "is running") {
		t.Errorf("start:\n%s", r.stdout)
	}
}

func TestDBWithDatabaseURL(t *testing.T) {
	t.Parallel()
	const url = "postgres://someone@db.example/somedb"
	if r := run(t, url, "db", "url"); r.code != 0 || strings.TrimSpace(r.stdout) != url {
		t.Errorf("db url with --database-url: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	// status only reads the embedded server's files, so it is safe here.
	if r := run(t, url, "db", "status"); r.code != 0 || !strings.Contains(r.stderr, "manages only the embedded PostgreSQL") {
		t.Errorf("db status with --database-url does not say it ignores it: exit %d, %q", r.code, r.stderr)
	}
	r := run(t, url, "db", "url", "other")
	if r.code != 1 || !strings.Contains(r.stderr, "embedded") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("db url DB with --database-url: exit %d, stderr %q; want one line about the embedded server", r.code, r.stderr)
	}
}

// serverTempDir returns a new directory that the embedded server can use
// for its data: as root the server runs as postgres, so the test (which
// created the directory) hands it over; solarview itself never changes a
// directory it did not create. t.TempDir would not do: its parent is 0700.
func serverTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "solarview-commands-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c, err := pgserver.New(pgserver.Options{DataDir: filepath.Join(dir, "pg")})
	if err != nil {
		t.Skip(err)
	}
	if err := c.GiveToServerUser(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
