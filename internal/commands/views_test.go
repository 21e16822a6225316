package commands

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/views"
)

// testViews and testRegisterErrors hold, per test, what the commands it
// runs see instead of the registry and its errors (see withViews and run).
var testViews, testRegisterErrors sync.Map // *testing.T → []views.View, []*views.RegisterError

// withViews makes the commands that t runs see vs instead of the registry,
// through their Env: nothing global changes, so such tests run in
// parallel with the others.
func withViews(t *testing.T, vs ...views.View) {
	t.Helper()
	testViews.Store(t, vs)
	t.Cleanup(func() { testViews.Delete(t) })
}

// thresholdView is view "a" over table t, spelled two ways.
func thresholdView(threshold int, reformatted bool) views.View {
	return views.View{Name: "a", Query: func(db *bun.DB) *bun.SelectQuery {
		if reformatted {
			return db.NewSelect().TableExpr("?", bun.Ident("t")).
				ColumnExpr("?.?", bun.Ident("t"), bun.Ident("x")).
				Where("(((t.x)) > ?)", threshold)
		}
		return db.NewSelect().TableExpr("t").ColumnExpr("t.x").Where("t.x > ?", threshold)
	}}
}

var summedView = views.View{Name: "total", Query: func(db *bun.DB) *bun.SelectQuery {
	return db.NewSelect().TableExpr("a").ColumnExpr("sum(a.x) AS total")
}}

// TestViewCommands drives makemigrations, check and sqlview as a user would,
// on a migrations directory of its own. Not parallel: it swaps the views.
func TestViewCommands(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("20260101000000_tables.tx.up.sql", "CREATE TABLE t (x int);\n")
	write("20260101000000_tables.tx.down.sql", "DROP TABLE t;\n")
	listDir := func() []string {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}

	withViews(t, thresholdView(1, false), summedView)
	// --check and --dry-run write nothing.
	if r := run(t, dsn, "makemigrations", "--dir", dir, "--check"); r.code != 1 {
		t.Fatalf("makemigrations --check with new views: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := mustRun(t, dsn, "makemigrations", "--dir", dir, "--dry-run")
	if !strings.Contains(out, "CREATE VIEW a AS") || len(listDir()) != 2 {
		t.Fatalf("dry run: %s (files %v)", out, listDir())
	}
	out = mustRun(t, dsn, "makemigrations", "--dir", dir, "--name", "first_views")
	if !strings.Contains(out, "_first_views.tx.up.sql") || len(listDir()) != 4 {
		t.Fatalf("makemigrations: %s (files %v)", out, listDir())
	}
	if out := mustRun(t, dsn, "makemigrations", "--dir", dir); !strings.Contains(out, "No changes detected") {
		t.Fatalf("second makemigrations: %s", out)
	}
	mustRun(t, dsn, "makemigrations", "--dir", dir, "--check")

	// Clean, also with the builder reformatted.
	for _, reformatted := range []bool{false, true} {
		withViews(t, thresholdView(1, reformatted), summedView)
		r := run(t, dsn, "check", "--dir", dir)
		if r.code != 0 || !strings.Contains(r.stdout, "in sync") || !strings.Contains(r.stdout, " ms)") {
			t.Fatalf("check (reformatted=%v): exit %d\n%s%s", reformatted, r.code, r.stdout, r.stderr)
		}
	}

	// One constant changed: drift on that view, with a diff.
	withViews(t, thresholdView(2, false), summedView)
	r := run(t, dsn, "check", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "view a differs") || !strings.Contains(r.stdout, "-    WHERE t.x > 1") ||
		!strings.Contains(r.stdout, "+    WHERE t.x > 2") || strings.Contains(r.stdout, "view total") {
		t.Fatalf("check with a changed constant: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, dsn, "check", "--dir", dir, "--format", "json")
	var rep struct {
		Status string `json:"status"`
		Drift  []struct {
			View string `json:"view"`
			Diff string `json:"diff"`
		} `json:"drift"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || rep.Status != "drift" || len(rep.Drift) != 1 || rep.Drift[0].View != "a" {
		t.Fatalf("check --format json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	r = run(t, dsn, "check", "--dir", dir, "--format", "github")
	if r.code != 1 || !strings.HasPrefix(r.stdout, "::error file=") || !strings.Contains(r.stdout, "title=view drift%3A a::") {
		t.Fatalf("check --format github: exit %d\n%s", r.code, r.stdout)
	}

	// The change becomes a migration; check is clean again.
	mustRun(t, dsn, "makemigrations", "--dir", dir)
	mustRun(t, dsn, "check", "--dir", dir)

	// --database: the test database has none of these migrations applied.
	r = run(t, dsn, "check", "--dir", dir, "--database")
	if r.code != 1 || !strings.Contains(r.stdout, "20260101000000_tables is not applied") {
		t.Fatalf("check --database: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// sqlview prints the view; a typo gets a suggestion.
	if out := mustRun(t, dsn, "sqlview", "total"); !strings.Contains(out, "sum(a.x) AS total") || strings.Count(out, "\n") < 3 {
		t.Errorf("sqlview: %s", out)
	}
	if r := run(t, dsn, "sqlview", "totl"); r.code != 1 || !strings.Contains(r.stderr, `did you mean "total"?`) {
		t.Errorf("sqlview typo: exit %d %s", r.code, r.stderr)
	}

	// A migration that does not parse: exit 2, naming the file and line.
	write("20260102000000_broken.tx.up.sql", "-- oops\nCREATE VIEW b AS SELECT FROM WHERE;\n")
	r = run(t, dsn, "check", "--dir", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "20260102000000_broken.tx.up.sql:2") {
		t.Fatalf("check with a broken migration: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, dsn, "check", "--dir", filepath.Join(dir, "missing")); r.code != 2 {
		t.Errorf("check with a missing --dir: exit %d", r.code)
	}
}

// TestRefresh refreshes materialized views in dependency order. Not
// parallel: it swaps the views.
func TestRefresh(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, false)
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.DB.ExecContext(context.Background(), `
CREATE TABLE t (x int);
INSERT INTO t VALUES (1), (2);
CREATE MATERIALIZED VIEW base AS SELECT t.x FROM t WITH NO DATA;
CREATE UNIQUE INDEX base_x ON base (x);
CREATE MATERIALIZED VIEW top AS SELECT count(*) AS n FROM base WITH NO DATA;`); err != nil {
		t.Fatal(err)
	}
	mat := func(name string, build func(db *bun.DB) *bun.SelectQuery) views.View {
		return views.View{Name: name, Materialized: true, WithNoData: true, Query: build}
	}
	// Registered in the "wrong" order: top reads base.
	withViews(t,
		mat("top", func(db *bun.DB) *bun.SelectQuery { return db.NewSelect().TableExpr("base").ColumnExpr("count(*) AS n") }),
		mat("base", func(db *bun.DB) *bun.SelectQuery { return db.NewSelect().TableExpr("t").ColumnExpr("t.x") }),
		thresholdView(1, false),
	)
	out := mustRun(t, dsn, "refresh")
	if i, j := strings.Index(out, "refreshed base"), strings.Index(out, "refreshed top"); i < 0 || j < i {
		t.Fatalf("refresh order:\n%s", out)
	}
	var n int
	if err := db.DB.QueryRowContext(context.Background(), "SELECT n FROM top").Scan(&n); err != nil || n != 2 {
		t.Fatalf("top after refresh: %d, %v", n, err)
	}
	mustRun(t, dsn, "refresh", "--concurrently", "base")
	if r := run(t, dsn, "refresh", "a"); r.code != 1 || !strings.Contains(r.stderr, "not materialized") {
		t.Errorf("refresh of a plain view: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, dsn, "refresh", "bsae"); r.code != 1 || !strings.Contains(r.stderr, `did you mean "base"?`) {
		t.Errorf("refresh typo: exit %d %s", r.code, r.stderr)
	}
}
