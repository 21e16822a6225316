package viewmig

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"testing/fstest"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/migrations"
	"github.com/solarview/solarview/views"
)

// createRole creates a role once per cluster (roles are shared by the
// test databases).
func createRole(t *testing.T, db *bun.DB, name string) {
	t.Helper()
	_, err := db.DB.ExecContext(context.Background(), `DO $$ BEGIN
		EXECUTE format('CREATE ROLE %I', `+quoteLiteral(name)+`);
	EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
	if err != nil {
		t.Fatal(err)
	}
}

// metaOf reads what a drop-and-recreate must keep: relacl, comment and
// owner of each view.
func metaOf(t *testing.T, q querier, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		var acl, comment sql.NullString
		var owner string
		err := q.QueryRowContext(context.Background(), `SELECT c.relacl::text, obj_description(c.oid, 'pg_class'), pg_get_userbyid(c.relowner)
			FROM pg_class c WHERE c.oid = to_regclass($1)`, "public."+n).Scan(&acl, &comment, &owner)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[n] = "acl=" + acl.String + " comment=" + comment.String + " owner=" + owner
	}
	return out
}

// TestDropAndRecreateKeepsGrantsAndComments is the scenario on the
// project's own views: privileges granted and a comment set by hand on
// summary and daily_summary survive a migration that drops and recreates
// them (summary's columns are reordered), up and down.
func TestDropAndRecreateKeepsGrantsAndComments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	orig, ok := views.Lookup("summary")
	if !ok {
		t.Fatal("no summary view")
	}
	var vs []views.View
	for _, v := range views.All() {
		if v.Name == "summary" {
			v.Query = func(db *bun.DB) *bun.SelectQuery {
				return db.NewSelect().TableExpr("(?) AS s", orig.Query(db)).
					ColumnExpr("s.timestamp, s.site_id, s.generation, s.import, s.export, s.consumption, s.controlled_load")
			}
		}
		vs = append(vs, v)
	}
	m, err := MakeMigration(ctx, MakeOptions{
		Views: vs, FS: migrations.FS,
		Now:     func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Scratch: func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Reasons["daily_summary"], "recreated because it reads summary") {
		t.Fatalf("daily_summary is not recreated: %v", m.Reasons)
	}

	db := dbtest.NewMigratedDB(t)
	createRole(t, db, "reader")
	createRole(t, db, "auditor")
	createRole(t, db, "analyst")
	for _, s := range []string{
		"GRANT SELECT ON summary, daily_summary TO reader",
		"GRANT SELECT, REFERENCES ON daily_summary TO auditor WITH GRANT OPTION",
		"SET ROLE auditor; GRANT SELECT ON daily_summary TO analyst; RESET ROLE",
		"REVOKE TRUNCATE ON summary FROM CURRENT_USER",
		"COMMENT ON VIEW daily_summary IS 'Daily energy per site; it''s local dates'",
		"GRANT SELECT ON daily_summary_battery TO reader",
	} {
		if _, err := db.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	names := []string{"summary", "daily_summary", "daily_cost"}
	before := metaOf(t, db.DB, names...)
	if !strings.Contains(before["summary"], "reader=r/") || !strings.Contains(before["daily_summary"], "analyst=r/auditor") ||
		!strings.Contains(before["daily_summary"], "comment=Daily") {
		t.Fatalf("grants not made: %v", before)
	}
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	var oid1 int64
	if err := tx.QueryRowContext(ctx, "SELECT 'summary'::regclass::oid").Scan(&oid1); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, m.Up); err != nil {
		t.Fatalf("up: %v", err)
	}
	var oid2 int64
	if err := tx.QueryRowContext(ctx, "SELECT 'summary'::regclass::oid").Scan(&oid2); err != nil {
		t.Fatal(err)
	}
	if oid1 == oid2 {
		t.Fatal("summary was not dropped and created again")
	}
	if got := metaOf(t, tx, names...); !equalMaps(got, before) {
		t.Errorf("after up:\n got %v\nwant %v", got, before)
	}
	if _, err := tx.ExecContext(ctx, m.Down); err != nil {
		t.Fatalf("down: %v", err)
	}
	if got := metaOf(t, tx, names...); !equalMaps(got, before) {
		t.Errorf("after down:\n got %v\nwant %v", got, before)
	}
}

// TestKeepMaterializedViewOwnerAndComment covers a materialized view with
// another owner, and code-declared comments winning over kept ones.
func TestKeepMaterializedViewOwnerAndComment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewDB(t)
	createRole(t, db, "view_owner")
	createRole(t, db, "reader")
	fsys := cloneFS(baseMigration)
	scratch := func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil }
	withComment := func(v views.View, c string) views.View { v.Comment = c; return v }
	steps := [][]views.View{
		{matM(1), viewD, withComment(viewA(0), "from code")},
		{matM(2), viewD, withComment(viewA(0, "r.site_id", "r.ts"), "from code, changed")},
	}
	var ms []*Migration
	var afterFirst fstest.MapFS
	for i, vs := range steps {
		now := time.Date(2026, 1, 2, 0, i, 0, 0, time.UTC)
		m, err := MakeMigration(ctx, MakeOptions{Views: vs, FS: fsys, Now: func() time.Time { return now }, Scratch: scratch})
		if err != nil {
			t.Fatal(err)
		}
		fsys[m.UpName] = &fstest.MapFile{Data: []byte(m.Up)}
		fsys[m.DownName] = &fstest.MapFile{Data: []byte(m.Down)}
		ms = append(ms, m)
		if i == 0 {
			afterFirst = cloneFS(fsys)
		}
	}
	assertGolden(t, "testdata/keep_owner_and_comment.golden", ms[1].Up+"\n==> down <==\n"+ms[1].Down)
	migrateUp(t, db, afterFirst)
	for _, s := range []string{
		"GRANT CREATE ON SCHEMA public TO view_owner",
		"ALTER MATERIALIZED VIEW m OWNER TO view_owner",
		"GRANT SELECT ON m, d TO reader",
		"COMMENT ON MATERIALIZED VIEW m IS 'by hand'",
		"COMMENT ON VIEW a IS 'by hand, overridden by code'",
	} {
		if _, err := db.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	before := metaOf(t, db.DB, "m", "d")
	migrateUp(t, db, fsys)
	if got := metaOf(t, db.DB, "m", "d"); !equalMaps(got, before) {
		t.Errorf("after up:\n got %v\nwant %v", got, before)
	}
	if got := metaOf(t, db.DB, "a")["a"]; !strings.Contains(got, "comment=from code, changed") {
		t.Errorf("a's comment after up: %s", got)
	}
	rollback(t, db, fsys)
	if got := metaOf(t, db.DB, "m", "d"); !equalMaps(got, before) {
		t.Errorf("after down:\n got %v\nwant %v", got, before)
	}
	if got := metaOf(t, db.DB, "a")["a"]; !strings.Contains(got, "comment=from code ") {
		t.Errorf("a's comment after down: %s", got)
	}
	// The replay follows it all: code and history agree.
	h, err := ReadHistory(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if h.Views["a"].Comment != "from code, changed" {
		t.Errorf("replayed comment of a = %q", h.Views["a"].Comment)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
