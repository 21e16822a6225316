package viewmig

import (
	"context"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/internal/pgserver"
	"github.com/solarview/solarview/migrations"
	"github.com/solarview/solarview/views"
)

// TestProjectMigrationsCreateEveryView migrates a fresh database and
// requires every view of the project's migrations to exist there exactly
// as the migrations define it, and the project's registered views that the
// migrations know to match them.
func TestProjectMigrationsCreateEveryView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := ReadHistory(migrations.FS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"import", "export", "summary", "daily_summary"} {
		if h.Views[name] == nil {
			t.Errorf("the migrations do not create view %s", name)
		}
	}
	db := dbtest.NewMigratedDB(t)
	rep, err := CompareDatabase(ctx, db, migrations.FS, h)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Fatalf("fresh database differs from the migrations: %+v", rep)
	}

	// Someone replaces a view by hand: --database must notice.
	q := strings.Replace(h.Views["daily_summary"].Query, "sum(s.generation)", "max(s.generation)", 1)
	if _, err := db.DB.ExecContext(ctx, "CREATE OR REPLACE VIEW daily_summary AS "+q); err != nil {
		t.Fatal(err)
	}
	rep, err = CompareDatabase(ctx, db, migrations.FS, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Drift) != 1 || rep.Drift[0].View != "daily_summary" || !strings.Contains(rep.Drift[0].Diff, "+    max(s.generation)") {
		t.Errorf("hand-replaced view not reported: %+v", rep)
	}

	// A migration the database lacks is pending.
	more := fstest.MapFS{"29990101000000_later.tx.up.sql": {Data: []byte("SELECT 1;")}, "29990101000000_later.tx.down.sql": {Data: []byte("SELECT 1;")}}
	entries, _ := fs.ReadDir(migrations.FS, ".")
	for _, e := range entries {
		b, _ := fs.ReadFile(migrations.FS, e.Name())
		more[e.Name()] = &fstest.MapFile{Data: b}
	}
	rep, err = CompareDatabase(ctx, db, more, h)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Pending) != 1 || rep.Pending[0] != "29990101000000_later" {
		t.Errorf("pending = %v", rep.Pending)
	}

	var known []views.View
	for _, v := range views.All() {
		if h.Views[v.Name] != nil {
			known = append(known, v)
		}
	}
	code, err := FromViews(known)
	if err != nil {
		t.Fatal(err)
	}
	drift, err := Compare(code, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drift {
		if d.Kind == Changed {
			t.Errorf("%s\n%s", d.Message(), d.Diff)
		}
	}
}

// TestRollbackToZeroAndMigrateAgain requires the down migrations to undo
// the up migrations completely: after rolling back every group and
// migrating again, pg_dump --schema-only prints the same schema.
func TestRollbackToZeroAndMigrateAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bindir, err := pgserver.FindBinDir()
	if err != nil {
		t.Skip("PostgreSQL binaries not found:", err)
	}
	pgDump := filepath.Join(bindir, "pg_dump")
	dsn := dbtest.NewDatabase(t, false)
	db, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	dump := func() string {
		t.Helper()
		out, err := exec.CommandContext(ctx, pgDump, "--schema-only", "--no-owner", "-d", dsn).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		// pg_dump 15.x prints a random \restrict key in recent releases.
		return regexp.MustCompile(`(?m)^\\(un)?restrict .*$`).ReplaceAllString(string(out), "")
	}

	if _, err := migrator.Up(ctx, db, io.Discard); err != nil {
		t.Fatal(err)
	}
	first := dump()
	for i := 0; ; i++ {
		undone, err := migrator.Down(ctx, db, io.Discard)
		if err != nil {
			t.Fatalf("rollback %d: %v", i, err)
		}
		if len(undone) == 0 {
			break
		}
	}
	var relations int
	if err := db.DB.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm') AND c.relname NOT LIKE 'bun_migration%'`).Scan(&relations); err != nil {
		t.Fatal(err)
	}
	if relations != 0 {
		t.Errorf("%d tables or views remain after rolling back every migration", relations)
	}
	if _, err := migrator.Up(ctx, db, io.Discard); err != nil {
		t.Fatal(err)
	}
	if second := dump(); second != first {
		t.Fatalf("schema after rollback to zero and migrate differs:\n%s", unified("first", "second", first, second))
	}
}
