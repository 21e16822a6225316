package viewmig

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/views"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestMain(m *testing.M) { dbtest.Main(m) }

// baseMigration is the hand-written table migration every scenario starts
// from.
var baseMigration = fstest.MapFS{
	"20260101000000_base.tx.up.sql": {Data: []byte(`
CREATE TABLE sites (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE readings (
  site_id bigint NOT NULL REFERENCES sites (id),
  ts timestamptz NOT NULL,
  energy double precision NOT NULL,
  note text
);
`)},
	"20260101000000_base.tx.down.sql": {Data: []byte("DROP TABLE readings;\nDROP TABLE sites;\n")},
}

// view is a test-local view built with Bun.
func view(name string, build func(db *bun.DB) *bun.SelectQuery) views.View {
	return views.View{Name: name, Query: build}
}

// viewA reads readings; where is the constant in its WHERE clause, and
// extra modifies its columns per scenario.
func viewA(where int, cols ...string) views.View {
	if len(cols) == 0 {
		cols = []string{"r.site_id", "r.ts", "r.energy", "r.note"}
	}
	return view("a", func(db *bun.DB) *bun.SelectQuery {
		q := db.NewSelect().TableExpr("readings AS r")
		for _, c := range cols {
			q = q.ColumnExpr(c)
		}
		return q.Where("r.energy > ?", where)
	})
}

// viewB reads a directly.
var viewB = view("b", func(db *bun.DB) *bun.SelectQuery {
	return db.NewSelect().TableExpr("a").ColumnExpr("a.site_id").ColumnExpr("sum(a.energy) AS total").GroupExpr("a.site_id")
})

// viewC reads a through b, and sites.
var viewC = view("c", func(db *bun.DB) *bun.SelectQuery {
	return db.NewSelect().TableExpr("b").Join("JOIN sites AS s ON s.id = b.site_id").
		ColumnExpr("s.name").ColumnExpr("b.total")
})

// matM is a materialized view with a unique index; viewD reads it.
func matM(factor int) views.View {
	return views.View{
		Name:         "m",
		Materialized: true,
		Indexes:      []views.Index{{Name: "m_site_idx", Columns: []string{"site_id"}, Unique: true}},
		Query: func(db *bun.DB) *bun.SelectQuery {
			return db.NewSelect().TableExpr("readings AS r").ColumnExpr("r.site_id").
				ColumnExpr("sum(r.energy) * ? AS energy", factor).GroupExpr("r.site_id")
		},
	}
}

var viewD = view("d", func(db *bun.DB) *bun.SelectQuery {
	return db.NewSelect().TableExpr("m").ColumnExpr("m.site_id").Where("m.energy > 0")
})

// withOptions sets v's options and comment.
func withOptions(v views.View, barrier, invoker bool, check, comment string) views.View {
	v.SecurityBarrier, v.SecurityInvoker, v.CheckOption, v.Comment = barrier, invoker, check, comment
	return v
}

// step is one state of the code: the views it defines, or a hand-written
// migration to add instead of generating one.
type step struct {
	views []views.View
	// handWritten, when set, is added as a migration as is (up, down).
	handWritten [2]string
	// unchanged expects makemigrations to find nothing to do.
	unchanged bool
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name  string
		steps []step
	}{
		{"add_view", []step{
			{views: []views.View{viewA(0)}},
			{views: []views.View{viewA(0), viewB}},
		}},
		{"change_where_constant", []step{
			{views: []views.View{viewA(0), viewB}},
			{views: []views.View{viewA(10), viewB}},
		}},
		{"append_column", []step{
			{views: []views.View{viewA(0, "r.site_id", "r.ts", "r.energy"), viewB}},
			{views: []views.View{viewA(0, "r.site_id", "r.ts", "r.energy", "r.note"), viewB}},
		}},
		{"drop_column_read_by_two_views", []step{
			{views: []views.View{viewA(0), viewB, viewC}},
			{views: []views.View{viewA(0, "r.site_id", "r.ts", "r.energy"), viewB, viewC}},
		}},
		{"rename_column", []step{
			{views: []views.View{viewA(0), viewB}},
			{views: []views.View{viewA(0, "r.site_id", "r.ts", "r.energy", "r.note AS comment"), viewB}},
		}},
		{"change_column_type", []step{
			{views: []views.View{viewA(0), viewB}},
			{views: []views.View{viewA(0, "r.site_id", "r.ts", "r.energy::numeric AS energy", "r.note"), viewB}},
		}},
		{"remove_view", []step{
			{views: []views.View{viewA(0), viewB, viewC}},
			{views: []views.View{viewA(0), viewB}},
			{views: []views.View{viewA(0)}},
		}},
		{"materialized_with_index_and_dependent", []step{
			{views: []views.View{matM(1), viewD}},
			{views: []views.View{matM(2), viewD}},
		}},
		{"options_and_comment", []step{
			{views: []views.View{withOptions(viewA(0), true, false, "", "first"), viewB}},
			{views: []views.View{withOptions(viewA(0), false, true, "local", "second"), viewB}},
			{views: []views.View{withOptions(viewA(0), false, false, "", ""), viewB}},
			{views: []views.View{withOptions(viewA(0, "r.site_id", "r.ts", "r.energy"), false, false, "", "third"), viewB}},
		}},
		{"hand_written_replace", []step{
			{views: []views.View{viewA(0), viewB}},
			{handWritten: [2]string{
				"-- Someone fixed the threshold by hand, in their own style.\n" +
					"create or replace view A as\n  select R.SITE_ID, r.\"ts\", (r.energy), r.note\n    from readings r where (r.energy > 5);\n",
				"CREATE OR REPLACE VIEW a AS SELECT r.site_id, r.ts, r.energy, r.note FROM readings AS r WHERE r.energy > 0;\n",
			}},
			{views: []views.View{viewA(5), viewB}, unchanged: true},
			{views: []views.View{viewA(7), viewB}},
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			runScenario(t, sc.name, sc.steps)
		})
	}
}

func runScenario(t *testing.T, name string, steps []step) {
	ctx := context.Background()
	fsys := fstest.MapFS{}
	for k, v := range baseMigration {
		fsys[k] = v
	}
	// snapshots[i] is the FS after step i; index 0 is the base.
	subsets := []fstest.MapFS{cloneFS(fsys)}
	var golden strings.Builder
	scratch := func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil }
	for i, st := range steps {
		now := time.Date(2026, 1, 2, 0, i, 0, 0, time.UTC)
		if st.handWritten[0] != "" {
			version := now.Format("20060102150405")
			fsys[version+"_by_hand.tx.up.sql"] = &fstest.MapFile{Data: []byte(st.handWritten[0])}
			fsys[version+"_by_hand.tx.down.sql"] = &fstest.MapFile{Data: []byte(st.handWritten[1])}
			subsets = append(subsets, cloneFS(fsys))
			continue
		}
		m, err := MakeMigration(ctx, MakeOptions{Views: st.views, FS: fsys, Name: "views", Now: func() time.Time { return now }, Scratch: scratch})
		if st.unchanged {
			if !errors.Is(err, ErrNoChanges) {
				t.Fatalf("step %d: want no changes, got %v (%v)", i, m, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		fmt.Fprintf(&golden, "==> %s <==\n%s\n==> %s <==\n%s\n", m.UpName, m.Up, m.DownName, m.Down)
		fsys[m.UpName] = &fstest.MapFile{Data: []byte(m.Up)}
		fsys[m.DownName] = &fstest.MapFile{Data: []byte(m.Down)}
		subsets = append(subsets, cloneFS(fsys))

		// The code now matches the migrations: check is clean, and a second
		// run finds nothing to do.
		drift, err := Check(st.views, fsys, "migrations")
		if err != nil || len(drift) != 0 {
			t.Fatalf("step %d: check after makemigrations: drift %+v, err %v", i, drift, err)
		}
		if _, err := MakeMigration(ctx, MakeOptions{Views: st.views, FS: fsys, Scratch: scratch}); !errors.Is(err, ErrNoChanges) {
			t.Fatalf("step %d: second makemigrations: want no changes, got %v", i, err)
		}
	}
	assertGolden(t, filepath.Join("testdata", name+".golden"), golden.String())

	// Apply every step up, one group each, recording the schema after each;
	// then roll back one group at a time and expect the previous schema.
	db := dbtest.NewDB(t)
	var states []string
	for i, sub := range subsets {
		migrateUp(t, db, sub)
		states = append(states, schemaSnapshot(t, db))
		if i > 0 && states[i] == states[i-1] {
			t.Fatalf("step %d changed nothing in the database", i)
		}
	}
	full := subsets[len(subsets)-1]
	for i := len(subsets) - 1; i > 0; i-- {
		rollback(t, db, full)
		if got := schemaSnapshot(t, db); got != states[i-1] {
			t.Fatalf("rolling back step %d: schema differs from before it:\n%s", i,
				unified("before", "after rollback", states[i-1], got))
		}
	}
	// And forward again to the same end state.
	migrateUp(t, db, full)
	if got := schemaSnapshot(t, db); got != states[len(states)-1] {
		t.Fatalf("migrating up again: schema differs:\n%s", unified("first time", "second time", states[len(states)-1], got))
	}
}

func cloneFS(m fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func discover(t *testing.T, fsys fstest.MapFS) *migrate.Migrations {
	t.Helper()
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		t.Fatal(err)
	}
	return ms
}

func migrateUp(t *testing.T, db *bun.DB, fsys fstest.MapFS) {
	t.Helper()
	m := migrate.NewMigrator(db, discover(t, fsys), migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func rollback(t *testing.T, db *bun.DB, fsys fstest.MapFS) {
	t.Helper()
	m := migrate.NewMigrator(db, discover(t, fsys), migrate.WithMarkAppliedOnSuccess(true))
	if _, err := m.Rollback(context.Background()); err != nil {
		t.Fatalf("rollback: %v", err)
	}
}

// schemaSnapshot describes every view, its columns, definition and indexes,
// as PostgreSQL reports them.
func schemaSnapshot(t *testing.T, db *bun.DB) string {
	t.Helper()
	rows, err := db.DB.QueryContext(context.Background(), `
SELECT c.relname || ' ' || c.relkind::text || E'\n' || pg_get_viewdef(c.oid) || E'\n' ||
       coalesce(c.reloptions::text, '') || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '') || E'\n' ||
       coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                   FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0), '') || E'\n' ||
       coalesce((SELECT string_agg(pg_get_indexdef(i.indexrelid), E'\n' ORDER BY 1)
                   FROM pg_index i WHERE i.indrelid = c.oid), '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')
 ORDER BY c.relname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, s)
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n\n") + "\n"
}

func assertGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs (go test -update rewrites it):\n%s", path, unified(path, "got", string(want), got))
	}
}
