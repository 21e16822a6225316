package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/migrations"
)

// runIn runs solarview as a separate process in directory dir, as an
// installed binary would run there.
func runIn(t *testing.T, dir, dsn string, args ...string) result {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"--database-url", dsn}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SOLARVIEW_TEST_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// newProject writes a solarview checkout holding the built-in migrations
// plus extra files, and returns its root.
func newProject(t *testing.T, extra map[string]string) string {
	t.Helper()
	root := t.TempDir()
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "go.mod"), "module github.com/solarview/solarview\n\ngo 1.26\n")
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(migrations.FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(root, "migrations", e.Name()), string(b))
	}
	for name, text := range extra {
		write(filepath.Join(root, "migrations", name), text)
	}
	if err := os.MkdirAll(filepath.Join(root, "views"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// builtInMigrations counts the migrations built into the binary.
func builtInMigrations(t *testing.T) int {
	t.Helper()
	ups, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	return len(ups)
}

// migrationsAfter counts the built-in migrations whose timestamp is later
// than version.
func migrationsAfter(t *testing.T, version string) int {
	t.Helper()
	ups, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range ups {
		if u[:len(version)] > version {
			n++
		}
	}
	return n
}

func countRows(t *testing.T, dsn, table string) int {
	t.Helper()
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// TestOneHistory: a binary built before a migration was written applies it
// when run inside the project, and outside the project (where it only has
// its built-in migrations) refuses to touch the database.
func TestOneHistory(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	const extraUp = "20261127100000_extra.tx.up.sql"
	root := newProject(t, map[string]string{
		extraUp:                            "CREATE TABLE extra (id int);\n",
		"20261127100000_extra.tx.down.sql": "DROP TABLE extra;\n",
	})
	inViews := filepath.Join(root, "views")
	outside := t.TempDir()

	r := runIn(t, inViews, dsn, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "applied 20261127100000_extra") {
		t.Fatalf("migrate in the project: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runIn(t, inViews, dsn, "showmigrations")
	if r.code != 0 || !strings.Contains(r.stdout, "Migrations: ../migrations (the project at "+root+")") || !strings.Contains(r.stdout, ", 0 pending") {
		t.Fatalf("showmigrations in the project: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, inViews, dsn, "check", "--database"); r.code != 0 {
		t.Fatalf("check --database in the project: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, inViews, dsn, "site", "add", "home"); r.code != 0 {
		t.Fatal(r.stderr)
	}

	// Outside the project: the built-in history lacks the new migration.
	r = runIn(t, outside, dsn, "showmigrations")
	if r.code != 0 || !strings.Contains(r.stdout, "Migrations: the migrations built into this binary") ||
		!strings.Contains(r.stdout, "20261127100000") || !strings.Contains(r.stdout, "applied, not in this history") {
		t.Fatalf("showmigrations outside: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"migrate"}, {"rollback"}, {"rollback", "--force"}} {
		r := runIn(t, outside, dsn, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "20261127100000") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v outside the project: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if n, want := countRows(t, dsn, "bun_migrations"), builtInMigrations(t)+1; n != want {
		t.Errorf("bun_migrations has %d rows, want %d", n, want)
	}
	if n := countRows(t, dsn, "sites"); n != 1 {
		t.Errorf("sites has %d rows, want 1", n)
	}
	countRows(t, dsn, "extra")
	r = runIn(t, outside, dsn, "check", "--database")
	if r.code != 1 || !strings.Contains(r.stdout, "migration 20261127100000 is applied to the database but is not in this history") {
		t.Errorf("check --database outside: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// An applied migration edited: a comment is no change, a type is.
	path := filepath.Join(root, "migrations", extraUp)
	if err := os.WriteFile(path, []byte("-- extra rows\nCREATE TABLE extra (\n    id int\n);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runIn(t, inViews, dsn, "migrate"); r.code != 0 {
		t.Fatalf("migrate after a comment edit: exit %d\n%s", r.code, r.stderr)
	}
	if err := os.WriteFile(path, []byte("CREATE TABLE extra (id bigint);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runIn(t, inViews, dsn, "migrate")
	if r.code != 1 || !strings.Contains(r.stderr, "../migrations/"+extraUp) {
		t.Errorf("migrate after a substance edit: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runIn(t, inViews, dsn, "check", "--database")
	if r.code != 1 || !strings.Contains(r.stdout, "../migrations/"+extraUp+" has changed") {
		t.Errorf("check --database after a substance edit: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runIn(t, root, dsn, "showmigrations")
	if !strings.Contains(r.stdout, "applied, file changed since") {
		t.Errorf("showmigrations after a substance edit: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// makemigrations writes files: outside the project it needs --dir.
	if r := runIn(t, outside, dsn, "makemigrations", "--check"); r.code != 1 || !strings.Contains(r.stderr, "run inside the project or pass --dir") {
		t.Errorf("makemigrations outside: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// --dir picks a history explicitly, wherever solarview runs.
	r = runIn(t, outside, dsn, "showmigrations", "--dir", filepath.Join(root, "migrations"))
	if r.code != 0 || !strings.Contains(r.stdout, "(--dir)") || strings.Contains(r.stdout, "not in this history") {
		t.Errorf("showmigrations --dir: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRollbackGuardsData(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	mustRun(t, dsn, "migrate")
	mustRun(t, dsn, "site", "add", "home")

	r := run(t, dsn, "rollback")
	if r.code != 1 || !strings.Contains(r.stderr, "sites (1 row, dropped by 20261121000001_foundation)") || !strings.Contains(r.stderr, "solarview rollback --force") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("rollback over data: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := countRows(t, dsn, "sites"); n != 1 {
		t.Fatalf("sites has %d rows after the refused rollback", n)
	}
	if r := run(t, dsn, "rollback", "extra"); r.code != 1 || !strings.Contains(r.stderr, `rollback takes no arguments, got "extra"`) {
		t.Fatalf("rollback extra: exit %d\n%s", r.code, r.stderr)
	}
	if r := run(t, dsn, "rollback", "20261121191122_sensor_views"); r.code != 1 || !strings.Contains(r.stderr, "--to NAME") {
		t.Fatalf("rollback NAME: exit %d\n%s", r.code, r.stderr)
	}
	if r := run(t, dsn, "rollback", "--to", "nosuch"); r.code != 1 || !strings.Contains(r.stderr, "no such migration") {
		t.Fatalf("rollback --to nosuch: exit %d\n%s", r.code, r.stderr)
	}

	out := mustRun(t, dsn, "rollback", "--to", "20261121190400_battery_status")
	if !strings.Contains(out, "rolled back 20261121191122_sensor_views\nrolled back 20261121191040_battery_views\n") || strings.Contains(out, "rolled back 20261121190400") {
		t.Fatalf("rollback --to:\n%s", out)
	}
	total, after := builtInMigrations(t), migrationsAfter(t, "20261121190400")
	if out := mustRun(t, dsn, "showmigrations"); !strings.Contains(out, fmt.Sprintf("%d applied, %d pending", total-after, after)) {
		t.Fatalf("showmigrations after --to:\n%s", out)
	}
	// Migrated again, those form the last group: rollback undoes only them.
	mustRun(t, dsn, "migrate")
	if out := mustRun(t, dsn, "rollback"); !strings.Contains(out, fmt.Sprintf("Rolled back %d migration(s).", after)) {
		t.Fatalf("rollback of the last group:\n%s", out)
	}
	if n := countRows(t, dsn, "sites"); n != 1 {
		t.Fatalf("sites has %d rows", n)
	}
	out = mustRun(t, dsn, "rollback", "--force")
	if !strings.Contains(out, "rolled back 20261121000001_foundation") {
		t.Fatalf("rollback --force:\n%s", out)
	}
	if out := mustRun(t, dsn, "showmigrations"); !strings.Contains(out, fmt.Sprintf("0 applied, %d pending", total)) {
		t.Fatalf("showmigrations after rollback --force:\n%s", out)
	}
}
