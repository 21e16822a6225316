package migrator_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/internal/sqlsum"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolveFindsTheProjectUpwards(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "// a comment\nmodule github.com/solarview/solarview // the CLI\n\ngo 1.26\n")
	writeFile(t, filepath.Join(root, "migrations", "20200101000001_a.tx.up.sql"), "SELECT 1;\n")
	sub := filepath.Join(root, "views", "deeper")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	src := migrator.ResolveFrom(sub)
	if src.Origin != migrator.Project || src.Root != root || src.Dir != filepath.Join("..", "..", "migrations") {
		t.Fatalf("from %s: %+v", sub, src)
	}
	if src.Label() != "migrations" {
		t.Errorf("label %q, want the path from the project root", src.Label())
	}
	if _, err := src.FS.Open("20200101000001_a.tx.up.sql"); err != nil {
		t.Fatalf("the project's files are not readable through the source: %v", err)
	}
	if !strings.Contains(src.String(), root) {
		t.Errorf("description %q does not name the project", src)
	}
	if src := migrator.ResolveFrom(root); src.Dir != "migrations" {
		t.Errorf("from the root the directory shows as %q", src.Dir)
	}

	// Another module's migrations/ is not solarview's.
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "go.mod"), "module example.com/other\n")
	writeFile(t, filepath.Join(other, "migrations", "20200101000001_a.tx.up.sql"), "SELECT 1;\n")
	if src := migrator.ResolveFrom(other); src.Origin != migrator.Embedded {
		t.Errorf("another module counted as the project: %+v", src)
	}
	// solarview's go.mod without a migrations directory is not a project either.
	bare := t.TempDir()
	writeFile(t, filepath.Join(bare, "go.mod"), "module github.com/solarview/solarview\n")
	if src := migrator.ResolveFrom(bare); src.Origin != migrator.Embedded || !strings.Contains(src.String(), "built into") {
		t.Errorf("a checkout without migrations/: %+v", src)
	}

	if _, err := migrator.Resolve(filepath.Join(root, "missing")); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("--dir missing: %v", err)
	}
	if _, err := migrator.Resolve(filepath.Join(root, "go.mod")); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("--dir a file: %v", err)
	}
	if src, err := migrator.Resolve(filepath.Join(root, "migrations")); err != nil || src.Origin != migrator.Flag {
		t.Errorf("--dir: %+v, %v", src, err)
	}
}

// checksums returns the checksum table as name → checksum.
func checksums(t *testing.T, db bun.IConn) map[string]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT name, checksum FROM bun_migration_checksums")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, s string
		if err := rows.Scan(&n, &s); err != nil {
			t.Fatal(err)
		}
		out[n] = s
	}
	return out
}

func TestMigrateRecordsChecksumsAndRefusesChangedFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	const up = "CREATE TABLE a (id int);\n"
	files := map[string]string{
		"20200101000001_a.tx.up.sql":   up,
		"20200101000001_a.tx.down.sql": "DROP TABLE a;\n",
	}
	if _, err := migrator.Migrate(ctx, db, testMigrations(t, files), io.Discard); err != nil {
		t.Fatal(err)
	}
	want, _ := sqlsum.Of(up)
	if got := checksums(t, db); got["20200101000001"] != want {
		t.Fatalf("recorded checksums %v, want %s", got, want)
	}

	// Comments, whitespace and keyword case are not a change.
	files["20200101000001_a.tx.up.sql"] = "-- the first table\ncreate   table a (\n\tid int\n);\n"
	src := testMigrations(t, files)
	if p, err := migrator.Validate(ctx, db, src); err != nil || len(p) != 0 {
		t.Fatalf("a reformatted file: problems %v, %v", p, err)
	}
	if _, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil {
		t.Fatalf("migrate after a reformatting: %v", err)
	}

	// A change in substance is refused, naming the file.
	files["20200101000001_a.tx.up.sql"] = "CREATE TABLE a (id bigint);\n"
	files["20200101000002_b.tx.up.sql"] = "CREATE TABLE b (id int);\n"
	files["20200101000002_b.tx.down.sql"] = "DROP TABLE b;\n"
	src = testMigrations(t, files)
	p, err := migrator.Validate(ctx, db, src)
	if err != nil || len(p) != 1 || p[0].Kind != migrator.Changed || p[0].File != "testdata/20200101000001_a.tx.up.sql" || p[0].Migration != "20200101000001_a" {
		t.Fatalf("Validate of a changed file: %+v, %v", p, err)
	}
	_, err = migrator.Migrate(ctx, db, src, io.Discard)
	var changed *migrator.ChangedError
	if !errors.As(err, &changed) || !strings.Contains(err.Error(), "testdata/20200101000001_a.tx.up.sql") {
		t.Fatalf("migrate over a changed file: %v", err)
	}
	if tableExists(t, db, "b") {
		t.Fatal("migrate applied a pending migration although it refused")
	}

	// The file may say which checksum it replaces (makemigrations --merge).
	files["20200101000001_a.tx.up.sql"] = sqlsum.ReplacesPrefix + want + "\nCREATE TABLE a (id bigint);\n"
	src = testMigrations(t, files)
	if p, err := migrator.Validate(ctx, db, src); err != nil || len(p) != 0 {
		t.Fatalf("a file replacing the recorded checksum: %v, %v", p, err)
	}
	if applied, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil || len(applied) != 1 {
		t.Fatalf("migrate with an accepted checksum: %v, %v", applied, err)
	}
}

func TestUnknownAppliedMigrationIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	newer := testMigrations(t, map[string]string{
		"20200101000001_a.tx.up.sql":   "CREATE TABLE a (id int);\n",
		"20200101000001_a.tx.down.sql": "DROP TABLE a;\n",
		"20200101000002_b.tx.up.sql":   "CREATE TABLE b (id int);\n",
		"20200101000002_b.tx.down.sql": "DROP TABLE b;\n",
	})
	older := testMigrations(t, map[string]string{
		"20200101000001_a.tx.up.sql":   "CREATE TABLE a (id int);\n",
		"20200101000001_a.tx.down.sql": "DROP TABLE a;\n",
		"20200101000003_c.tx.up.sql":   "CREATE TABLE c (id int);\n",
		"20200101000003_c.tx.down.sql": "DROP TABLE c;\n",
	})
	if _, err := migrator.Migrate(ctx, db, newer, io.Discard); err != nil {
		t.Fatal(err)
	}
	before := appliedNames(t, db)

	var unknown *migrator.UnknownError
	if _, err := migrator.Migrate(ctx, db, older, io.Discard); !errors.As(err, &unknown) || unknown.Names[0] != "20200101000002" {
		t.Fatalf("migrate with an older history: %v", err)
	}
	if _, err := migrator.Rollback(ctx, db, older, migrator.RollbackOptions{Force: true}, io.Discard); !errors.As(err, &unknown) {
		t.Fatalf("rollback with an older history: %v", err)
	}
	if got := appliedNames(t, db); strings.Join(got, ",") != strings.Join(before, ",") {
		t.Fatalf("applied %v, was %v", got, before)
	}
	for _, table := range []string{"a", "b"} {
		if !tableExists(t, db, table) {
			t.Errorf("table %s is gone", table)
		}
	}
	if tableExists(t, db, "c") {
		t.Error("the older history's pending migration was applied")
	}

	st, err := migrator.Status(ctx, db, older)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, s := range st {
		labels = append(labels, s.Label)
		if s.Label == "20200101000002" && (s.InHistory || !s.Applied) {
			t.Errorf("unknown migration status %+v", s)
		}
	}
	if strings.Join(labels, ",") != "20200101000001_a,20200101000002,20200101000003_c" {
		t.Errorf("status lists %v", labels)
	}
	p, err := migrator.Validate(ctx, db, older)
	if err != nil || len(p) != 1 || p[0].Kind != migrator.Unknown {
		t.Errorf("Validate: %+v, %v", p, err)
	}
}

// TestLegacyRecordsWithoutChecksum migrates with bun/migrate itself, as
// releases before checksums did, then carries on with this package.
func TestLegacyRecordsWithoutChecksum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	files := map[string]string{
		"20200101000001_a.tx.up.sql":   "CREATE TABLE a (id int);\n",
		"20200101000001_a.tx.down.sql": "DROP TABLE a;\n",
	}
	src := testMigrations(t, files)
	ms := migrate.NewMigrations()
	if err := ms.Discover(src.FS); err != nil {
		t.Fatal(err)
	}
	old := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := old.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}

	if p, err := migrator.Validate(ctx, db, src); err != nil || len(p) != 0 {
		t.Fatalf("Validate of a legacy database: %v, %v", p, err)
	}
	st, err := migrator.Status(ctx, db, src)
	if err != nil || len(st) != 1 || !st[0].Applied || st[0].Checksummed {
		t.Fatalf("Status of a legacy database: %+v, %v", st, err)
	}
	files["20200101000002_b.tx.up.sql"] = "CREATE TABLE b (id int);\n"
	files["20200101000002_b.tx.down.sql"] = "DROP TABLE b;\n"
	src = testMigrations(t, files)
	if applied, err := migrator.Migrate(ctx, db, src, io.Discard); err != nil || len(applied) != 1 {
		t.Fatalf("migrate on a legacy database: %v, %v", applied, err)
	}
	if got := checksums(t, db); len(got) != 2 {
		t.Fatalf("checksums after migrate: %v, want both migrations", got)
	}
	// bun/migrate itself still reads the table (an earlier release would).
	if applied, err := old.AppliedMigrations(ctx); err != nil || len(applied) != 2 {
		t.Fatalf("bun/migrate reading bun_migrations: %v, %v", applied, err)
	}
	// From now on the legacy migration's file is held to its checksum.
	files["20200101000001_a.tx.up.sql"] = "CREATE TABLE a (id text);\n"
	if _, err := migrator.Migrate(ctx, db, testMigrations(t, files), io.Discard); err == nil {
		t.Fatal("a changed legacy migration was accepted")
	}
}

// TestKilledMigrationLeavesNoTrace kills the backend running a migration
// and migrates again without any repair.
func TestKilledMigrationLeavesNoTrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.NewDatabase(t, false)
	db := open(t, dsn)
	files := map[string]string{
		"20200101000001_a.tx.up.sql":   "CREATE TABLE a (id int);\n",
		"20200101000001_a.tx.down.sql": "DROP TABLE a;\n",
		"20200101000002_b.tx.up.sql":   "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT pg_sleep(60); -- solarview-test-kill-me\n",
		"20200101000002_b.tx.down.sql": "DROP TABLE b;\n",
	}
	done := make(chan error, 1)
	go func() {
		_, err := migrator.Migrate(ctx, db, testMigrations(t, files), io.Discard)
		done <- err
	}()

	killer := open(t, dsn)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var killed int
		err := killer.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%solarview-test-kill-me%'`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if killed > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the migration never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := <-done; err == nil {
		t.Fatal("migrate succeeded although its backend was killed")
	}

	check := open(t, dsn)
	if got := appliedNames(t, check); strings.Join(got, ",") != "20200101000001" {
		t.Fatalf("recorded after the kill: %v", got)
	}
	if !tableExists(t, check, "a") || tableExists(t, check, "b") {
		t.Fatal("the database does not match the records")
	}
	// The file may be fixed: it was never applied, so it has no checksum.
	files["20200101000002_b.tx.up.sql"] = "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n"
	applied, err := migrator.Migrate(ctx, check, testMigrations(t, files), io.Discard)
	if err != nil || strings.Join(applied, ",") != "20200101000002_b" {
		t.Fatalf("migrate after the kill: %v, %v", applied, err)
	}
	if got := appliedNames(t, check); strings.Join(got, ",") != "20200101000001,20200101000002" || !tableExists(t, check, "b") {
		t.Fatalf("recorded %v", got)
	}
}
