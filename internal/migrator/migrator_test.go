package migrator_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/migrations"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func open(t *testing.T, dsn string) *bun.DB {
	t.Helper()
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func appliedNames(t *testing.T, db *bun.DB) []string {
	t.Helper()
	var names []string
	if err := db.NewSelect().Table("bun_migrations").Column("name").Order("name").Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	return names
}

func projectMigrationNames(t *testing.T) []string {
	t.Helper()
	ms, err := migrations.New()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms.Sorted() {
		names = append(names, migrator.Label(m))
	}
	return names
}

func TestUpAppliesEverythingOnceThenNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)

	applied, err := migrator.Up(ctx, db, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := projectMigrationNames(t)
	if strings.Join(applied, ",") != strings.Join(want, ",") {
		t.Fatalf("first Up applied %v, want %v", applied, want)
	}
	again, err := migrator.Up(ctx, db, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second Up applied %v, want nothing", again)
	}
}

func TestConcurrentUpAppliesEachMigrationOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.NewDatabase(t, false)

	const runs = 4
	var wg sync.WaitGroup
	results := make([][]string, runs)
	errs := make([]error, runs)
	for i := range runs {
		db := open(t, dsn) // one pool per "process"
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = migrator.Up(ctx, db, io.Discard)
		}()
	}
	wg.Wait()

	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		total += len(results[i])
	}
	want := projectMigrationNames(t)
	if total != len(want) {
		t.Fatalf("runs applied %d migrations in all, want %d: %v", total, len(want), results)
	}
	var stamps []string
	for _, label := range want {
		stamps = append(stamps, label[:14]) // bun_migrations keeps the timestamp alone
	}
	if got := appliedNames(t, open(t, dsn)); strings.Join(got, ",") != strings.Join(stamps, ",") {
		t.Fatalf("bun_migrations holds %v, want %v", got, want)
	}
}

// testMigrations builds a migration history from literal files.
func testMigrations(t *testing.T, files map[string]string) migrator.Source {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return migrator.Source{FS: fsys, Dir: "testdata", Origin: migrator.Flag}
}

func tableExists(t *testing.T, db *bun.DB, name string) bool {
	t.Helper()
	var ok bool
	if err := db.QueryRowContext(context.Background(), "SELECT to_regclass(?) IS NOT NULL", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestFailingMigrationLeavesDatabaseAsBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	ms := testMigrations(t, map[string]string{
		"20200101000001_good.tx.up.sql":   "CREATE TABLE good (id int);",
		"20200101000001_good.tx.down.sql": "DROP TABLE good;",
		"20200101000002_bad.tx.up.sql":    "CREATE TABLE half (id int);\nSELECT 1/0;",
		"20200101000002_bad.tx.down.sql":  "DROP TABLE half;",
	})

	applied, err := migrator.Migrate(ctx, db, ms, io.Discard)
	if err == nil {
		t.Fatal("Up succeeded over a failing migration")
	}
	if len(applied) != 1 || applied[0] != "20200101000001_good" {
		t.Fatalf("applied = %v, want only the good migration", applied)
	}
	if !tableExists(t, db, "good") {
		t.Error("the good migration's table is missing")
	}
	if tableExists(t, db, "half") {
		t.Error("the failing migration left its table behind")
	}
	if got := appliedNames(t, db); len(got) != 1 || got[0] != "20200101000001" { // bun stores the timestamp alone
		t.Errorf("marked applied: %v, want only the good migration", got)
	}
}

func TestRollbackThenMigrateRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	if _, err := migrator.Up(ctx, db, io.Discard); err != nil {
		t.Fatal(err)
	}
	for {
		undone, err := migrator.Down(ctx, db, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if len(undone) == 0 {
			break
		}
	}
	if tableExists(t, db, "sites") {
		t.Fatal("sites still exists after rolling everything back")
	}
	if got := appliedNames(t, db); len(got) != 0 {
		t.Fatalf("still marked applied: %v", got)
	}
	if _, err := migrator.Up(ctx, db, io.Discard); err != nil {
		t.Fatalf("migrating again after rollback: %v", err)
	}
	if !tableExists(t, db, "sites") {
		t.Fatal("sites missing after migrating again")
	}
}

func TestStatusOnFreshDatabaseWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	ms, err := migrator.Status(ctx, db, migrator.EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(projectMigrationNames(t)) {
		t.Fatalf("Status listed %d migrations, want %d", len(ms), len(projectMigrationNames(t)))
	}
	for _, m := range ms {
		if m.Applied {
			t.Errorf("%s reported applied on a fresh database", m.Label)
		}
	}
	if tableExists(t, db, "bun_migrations") {
		t.Error("Status created bun_migrations")
	}
}
