package viewmig

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/migrations"
	"github.com/solarview/solarview/views"
)

func problems(rep *DatabaseReport) []string {
	var out []string
	for _, d := range rep.Drift {
		out = append(out, d.View+" "+d.Problem+" "+d.Index)
	}
	return out
}

// TestCompareDatabaseSeesIndexesOptionsAndPrivileges: on the project's
// migrations, an index dropped by hand, a view option set by hand; on a
// migration granting privileges, a REVOKE.
func TestCompareDatabaseSeesIndexesOptionsAndPrivileges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := ReadHistory(migrations.FS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	db := dbtest.NewMigratedDB(t)
	exec := func(sql string) {
		t.Helper()
		if _, err := db.DB.ExecContext(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	compare := func() *DatabaseReport {
		t.Helper()
		rep, err := CompareDatabase(ctx, db, migrations.FS, h)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// A view made by hand in another schema is not solarview's business.
	exec("CREATE SCHEMA archive")
	exec("CREATE VIEW archive.old_summary AS SELECT * FROM public.summary")
	exec("CREATE MATERIALIZED VIEW archive.snapshot AS SELECT 1 AS x")
	if rep := compare(); !rep.Clean() {
		t.Fatalf("fresh database: %v", problems(rep))
	}
	exec("DROP INDEX daily_summary_battery_site_date_idx")
	rep := compare()
	if got := strings.Join(problems(rep), "; "); got != "daily_summary_battery index_missing daily_summary_battery_site_date_idx" {
		t.Errorf("dropped index: %s", got)
	}
	if msg := rep.Drift[0].Message(); !strings.Contains(msg, "daily_summary_battery_site_date_idx") || !strings.Contains(msg, "UNIQUE") {
		t.Errorf("message: %s", msg)
	}
	exec("CREATE INDEX daily_summary_battery_site_date_idx ON daily_summary_battery (date, site_id)")
	exec("CREATE INDEX by_hand ON daily_summary_battery USING brin (date)")
	exec("ALTER VIEW summary SET (security_barrier = true)")
	exec("COMMENT ON VIEW daily_summary IS 'hand comments are left alone'")
	createRole(t, db, "solarview_hand_reader")
	exec("GRANT SELECT ON daily_summary TO solarview_hand_reader") // a hand grant: left alone
	exec("REVOKE TRUNCATE ON daily_cost FROM CURRENT_USER")        // the owner's: seen
	got := strings.Join(problems(compare()), "; ")
	want := "daily_cost privileges ; daily_summary_battery index_changed daily_summary_battery_site_date_idx; daily_summary_battery index_extra by_hand; summary options "
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	// Privileges a migration grants, revoked by hand.
	createRole(t, db, "reader")
	fsys := cloneFS(baseMigration)
	fsys["20260101000001_v.tx.up.sql"] = &fstest.MapFile{Data: []byte(
		"CREATE VIEW v AS SELECT site_id FROM readings;\nGRANT SELECT, INSERT ON v TO reader;\nREVOKE INSERT ON v FROM reader;\nCOMMENT ON VIEW v IS 'the v';\n")}
	fsys["20260101000001_v.tx.down.sql"] = &fstest.MapFile{Data: []byte("DROP VIEW v;\n")}
	db2 := dbtest.NewDB(t)
	hv, err := ReadHistory(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if g := hv.Views["v"].Grants["reader"]; len(g) != 1 || g[0] != "select" {
		t.Fatalf("replayed grants: %v", hv.Views["v"].Grants)
	}
	// Pending migrations: compared anyway, and said so.
	rep2, err := CompareDatabase(ctx, db2, fsys, hv)
	if err != nil {
		t.Fatal(err)
	}
	if !rep2.ComparedWhilePending || len(rep2.Pending) != 2 || strings.Join(problems(rep2), ";") != "v missing " {
		t.Errorf("pending: %+v", rep2)
	}
	migrateUp(t, db2, fsys)
	for _, s := range []string{"REVOKE SELECT ON v FROM reader", "COMMENT ON VIEW v IS 'changed'", "ALTER VIEW v SET (security_invoker)"} {
		if _, err := db2.DB.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	rep2, err = CompareDatabase(ctx, db2, fsys, hv)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(problems(rep2), "; "); got != "v options ; v comment ; v privileges " {
		t.Errorf("got %s", got)
	}
}

// TestIndexDeclarations: methods, expressions and predicates declared in
// code are generated, replayed and compared as PostgreSQL prints them;
// options and comments declared in code reach the migration and check.
func TestIndexDeclarations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := matM(1)
	m.Indexes = []views.Index{
		{Name: "m_site_idx", Columns: []string{"site_id"}, Unique: true},
		{Name: "m_energy_brin", Columns: []string{"energy"}, Method: "brin"},
		{Name: "m_big_idx", Expressions: []string{"round(energy)", "site_id % 10"}, Where: "energy > 100"},
	}
	a := viewA(0)
	a.SecurityBarrier = true
	a.Comment = "readings above the threshold"
	vs := []views.View{m, a}
	scratch := func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil }
	mig, err := MakeMigration(ctx, MakeOptions{Views: vs, FS: baseMigration, Now: func() time.Time { return time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) }, Scratch: scratch})
	if err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "testdata/index_declarations.golden", mig.Up+"\n==> down <==\n"+mig.Down)
	fsys := cloneFS(baseMigration)
	fsys[mig.UpName] = &fstest.MapFile{Data: []byte(mig.Up)}
	fsys[mig.DownName] = &fstest.MapFile{Data: []byte(mig.Down)}
	if drift, err := Check(vs, fsys, "migrations"); err != nil || len(drift) != 0 {
		t.Fatalf("check: %+v %v", drift, err)
	}
	// Each of them, changed in code, is drift.
	changes := []func(v []views.View){
		func(v []views.View) { v[0].Indexes[1].Method = "btree" },
		func(v []views.View) { v[0].Indexes[2].Where = "energy > 10" },
		func(v []views.View) { v[1].SecurityBarrier = false },
		func(v []views.View) { v[1].Comment = "other" },
	}
	for i, change := range changes {
		c := []views.View{m, a}
		c[0].Indexes = append([]views.Index(nil), m.Indexes...)
		change(c)
		if drift, err := Check(c, fsys, "migrations"); err != nil || len(drift) != 1 {
			t.Errorf("change %d: drift %+v, %v", i, drift, err)
		}
	}
	db := dbtest.NewDB(t)
	migrateUp(t, db, fsys)
	h, err := ReadHistory(fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CompareDatabase(ctx, db, fsys, h)
	if err != nil || !rep.Clean() {
		t.Fatalf("database after migrate: %v %v", problems(rep), err)
	}
}
