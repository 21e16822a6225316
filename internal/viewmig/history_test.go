package viewmig

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/views"
)

// files builds a migrations FS from up-migration texts, named in order.
func files(ups ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i, up := range ups {
		name := "2026010100000" + string(rune('0'+i)) + "_m"
		fsys[name+".up.sql"] = &fstest.MapFile{Data: []byte(up)}
		fsys[name+".down.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	}
	return fsys
}

func viewNames(h *History) []string {
	var out []string
	for n := range h.Views {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestReadHistory(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		ups   []string
		views []string
		check func(t *testing.T, h *History)
	}{
		{
			name:  "create and replace",
			ups:   []string{"CREATE TABLE t (x int); CREATE VIEW v AS SELECT x FROM t WHERE x > 1;", "CREATE OR REPLACE VIEW v AS SELECT x FROM t WHERE x > 2;"},
			views: []string{"v"},
			check: func(t *testing.T, h *History) {
				if !strings.Contains(h.Views["v"].Query, "> 2") {
					t.Errorf("latest definition not followed: %s", h.Views["v"].Query)
				}
				if got := h.Views["v"].Source; got.File != "migrations/20260101000001_m.up.sql" || got.Line != 1 {
					t.Errorf("source = %v", got)
				}
			},
		},
		{
			name:  "drop view and materialized view",
			ups:   []string{"CREATE VIEW a AS SELECT 1 AS x; CREATE MATERIALIZED VIEW b AS SELECT 2 AS y WITH NO DATA; CREATE VIEW c AS SELECT 3 AS z;", "DROP VIEW a; DROP MATERIALIZED VIEW IF EXISTS b;"},
			views: []string{"c"},
		},
		{
			name:  "drop cascade takes dependents",
			ups:   []string{"CREATE TABLE t (x int); CREATE VIEW a AS SELECT x FROM t; CREATE VIEW b AS SELECT x FROM a; CREATE VIEW c AS SELECT 1 AS one;", "DROP TABLE t CASCADE;"},
			views: []string{"c"},
		},
		{
			name:  "rename follows into dependents",
			ups:   []string{"CREATE VIEW a AS SELECT 1 AS x; CREATE VIEW b AS SELECT x FROM a;", "ALTER VIEW a RENAME TO a2;"},
			views: []string{"a2", "b"},
			check: func(t *testing.T, h *History) {
				if !reflect.DeepEqual(h.Views["b"].Deps, []string{"a2"}) || !strings.Contains(h.Views["b"].Query, "a2") {
					t.Errorf("b still reads the old name: %s %v", h.Views["b"].Query, h.Views["b"].Deps)
				}
			},
		},
		{
			name: "materialized view indexes",
			ups: []string{
				"CREATE MATERIALIZED VIEW m AS SELECT 1 AS x WITH NO DATA; CREATE UNIQUE INDEX m_x ON m (x); CREATE INDEX m_y ON m (x);",
				"DROP INDEX m_y; ALTER INDEX m_x RENAME TO m_x2;",
			},
			views: []string{"m"},
			check: func(t *testing.T, h *History) {
				m := h.Views["m"]
				if !m.Materialized || !m.WithNoData {
					t.Errorf("kind lost: %+v", m)
				}
				if len(m.Indexes) != 1 || m.Indexes[0].Name != "m_x2" || !strings.Contains(m.Indexes[0].SQL, "UNIQUE INDEX m_x2") {
					t.Errorf("indexes = %+v", m.Indexes)
				}
			},
		},
		{
			name:  "schema-qualified public is the same view",
			ups:   []string{"CREATE VIEW public.v AS SELECT 1 AS x;", "DROP VIEW v;"},
			views: nil,
		},
		{
			name:  "statements that do not touch views are skipped",
			ups:   []string{"CREATE TABLE t (x int); INSERT INTO t VALUES (1); CREATE INDEX t_x ON t (x); CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"},
			views: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, err := ReadHistory(files(c.ups...), "migrations")
			if err != nil {
				t.Fatal(err)
			}
			if got := viewNames(h); !reflect.DeepEqual(got, c.views) {
				t.Errorf("views = %v, want %v", got, c.views)
			}
			if c.check != nil {
				c.check(t, h)
			}
		})
	}
}

func TestReadHistoryErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		up   string
		line int
		msg  string
	}{
		{"CREATE TABLE t (x int);\n\nCREATE VIEW v AS SELEC x FROM t;\n", 3, "syntax error"},
		{"-- header\nCREATE VIEW v AS SELECT 1 AS x;\n\nALTER VIEW v RENAME COLUMN x TO y;\n", 4, "renaming a column"},
		{"CREATE VIEW v (a) AS SELECT 1;\n", 1, "column lists"},
		{"CREATE VIEW v AS SELECT 1 AS x;\nCREATE SCHEMA archive;\nALTER VIEW v SET SCHEMA archive;\n", 3, "SET SCHEMA"},
		{"CREATE SCHEMA archive;\nCREATE VIEW archive.v AS SELECT 1 AS x;\nALTER VIEW archive.v SET SCHEMA public;\n", 3, "SET SCHEMA"},
		{"CREATE TABLE t (x int);\n\nDO $$ BEGIN EXECUTE 'CREATE VIEW w AS SELECT 1'; END $$;\n", 3, "DO block"},
		{"DO $$ BEGIN CREATE VIEW w AS SELECT 1; END $$;\n", 1, "DO block"},
	}
	for _, c := range cases {
		_, err := ReadHistory(files("SELECT 1;", c.up), "migrations")
		var se *SourceError
		if !errors.As(err, &se) {
			t.Fatalf("%q: want a SourceError, got %v", c.up, err)
		}
		if se.File != "migrations/20260101000001_m.up.sql" || se.Line != c.line || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: got %q (line %d), want line %d mentioning %q", c.up, err, se.Line, c.line, c.msg)
		}
	}
}

// codeView is a view on table t with a WHERE constant, spelled two ways.
func codeView(threshold int, reformatted bool) views.View {
	return views.View{Name: "v", Query: func(db *bun.DB) *bun.SelectQuery {
		if reformatted {
			// Different builder calls, quoting and parentheses; same SQL
			// meaning.
			return db.NewSelect().TableExpr("?", bun.Ident("t")).
				ColumnExpr("?.?", bun.Ident("t"), bun.Ident("x")).
				Where("((t.x) > ?)", threshold)
		}
		return db.NewSelect().TableExpr("t").ColumnExpr("t.x").Where("t.x > ?", threshold)
	}}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	fsys := files("CREATE TABLE t (x int);\nCREATE VIEW v AS\n  SELECT t.x FROM t WHERE t.x > 1;\nCREATE VIEW old AS SELECT 1 AS one;\n", "DROP VIEW old;")

	// In sync, whatever the builder's spelling.
	for _, reformatted := range []bool{false, true} {
		drift, err := Check([]views.View{codeView(1, reformatted)}, fsys, "migrations")
		if err != nil || len(drift) != 0 {
			t.Errorf("reformatted=%v: want no drift, got %+v, %v", reformatted, drift, err)
		}
	}

	// One constant changed: drift on that view, with a readable diff.
	drift, err := Check([]views.View{codeView(2, false)}, fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != 1 || drift[0].View != "v" || drift[0].Kind != Changed {
		t.Fatalf("drift = %+v", drift)
	}
	for _, want := range []string{"--- migrations/v", "+++ code/v", "-    WHERE t.x > 1", "+    WHERE t.x > 2"} {
		if !strings.Contains(drift[0].Diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, drift[0].Diff)
		}
	}
	if drift[0].Migration == nil || drift[0].Migration.Line != 2 {
		t.Errorf("migration position = %v, want line 2", drift[0].Migration)
	}

	// Views on one side only.
	extra := views.View{Name: "w", Query: func(db *bun.DB) *bun.SelectQuery { return db.NewSelect().ColumnExpr("1") }}
	drift, err = Check([]views.View{extra}, fsys, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range drift {
		got = append(got, d.View+":"+string(d.Kind))
	}
	if want := []string{"v:only_in_migrations", "w:only_in_code"}; !reflect.DeepEqual(got, want) {
		t.Errorf("drift = %v, want %v", got, want)
	}

	// A broken migration is an error naming the file, not drift.
	broken := files("CREATE TABLE t (x int);", "CREATE VIEW v AS SELECT FROM WHERE;")
	if _, err := Check([]views.View{codeView(1, false)}, broken, "migrations"); err == nil || !strings.Contains(err.Error(), "migrations/20260101000001_m.up.sql:1") {
		t.Errorf("want an error naming the file and line, got %v", err)
	}
}

// TestReadHistoryLeavesOtherSchemasAlone: views, indexes, comments and
// grants in another schema are not solarview's; a DO block marked
// replay-ignore and solarview's own keep blocks are no error.
func TestReadHistoryLeavesOtherSchemasAlone(t *testing.T) {
	t.Parallel()
	h, err := ReadHistory(files(
		"CREATE TABLE t (x int); CREATE VIEW v AS SELECT x FROM t;",
		"CREATE SCHEMA archive;\nCREATE VIEW archive.old AS SELECT x FROM public.v;\n"+
			"CREATE MATERIALIZED VIEW archive.m AS SELECT 1 AS y;\nCREATE INDEX m_y ON archive.m (y);\n"+
			"COMMENT ON VIEW archive.old IS 'theirs';\nGRANT SELECT ON archive.old TO PUBLIC;\n"+
			"ALTER VIEW archive.old RENAME TO older;\nDROP VIEW archive.older;\n"+
			"-- solarview:replay-ignore: only tables here\nDO $$ BEGIN EXECUTE 'ANALYZE t'; END $$;\n",
		keepSaveSQL([]string{"v"})+"DROP VIEW v;\nCREATE VIEW v AS SELECT x FROM t;\n"+keepRestoreSQL(),
	), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if got := viewNames(h); !reflect.DeepEqual(got, []string{"v"}) {
		t.Errorf("views = %v, want only v", got)
	}
}

// TestHistoryFollowsCommentsGrantsAndOptions: COMMENT, GRANT/REVOKE,
// ALTER VIEW SET/RESET and CREATE OR REPLACE (which keeps comment and
// grants) as PostgreSQL applies them; a plain drop and create loses them,
// a drop and create between keep blocks does not.
func TestHistoryFollowsCommentsGrantsAndOptions(t *testing.T) {
	t.Parallel()
	h, err := ReadHistory(files(
		"CREATE TABLE t (x int);\nCREATE VIEW v WITH (security_barrier) AS SELECT x FROM t;\nCREATE VIEW w AS SELECT x FROM v;\n"+
			"COMMENT ON VIEW v IS 'vee';\nGRANT ALL ON v, w TO reader;\nREVOKE DELETE, TRUNCATE ON v FROM reader;\n"+
			"ALTER VIEW w SET (security_invoker = on, check_option = local);\nALTER VIEW w RESET (check_option);\n",
		"CREATE OR REPLACE VIEW v WITH (security_barrier = true) AS SELECT x FROM t WHERE x > 0;\n",
		keepSaveSQL([]string{"w"})+"DROP VIEW w;\nCREATE VIEW w AS SELECT x FROM v;\n"+keepRestoreSQL()+
			"DROP VIEW w;\nCREATE VIEW w AS SELECT x FROM v;\n",
	), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	v, w := h.Views["v"], h.Views["w"]
	if v.Comment != "vee" || strings.Join(v.Options, ",") != "security_barrier=true" ||
		strings.Join(v.Grants["reader"], ",") != "insert,references,select,trigger,update" {
		t.Errorf("v: comment %q options %v grants %v", v.Comment, v.Options, v.Grants)
	}
	if w.Comment != "" || len(w.Grants) != 0 || len(w.Options) != 0 {
		t.Errorf("w was dropped and created without keep blocks: %+v", w)
	}
	h2, err := ReadHistory(files(
		"CREATE TABLE t (x int);\nCREATE VIEW w AS SELECT x FROM t;\nGRANT SELECT ON w TO reader;\nALTER VIEW w SET (security_invoker = on);\n",
		keepSaveSQL([]string{"w"})+"DROP VIEW w;\nCREATE VIEW w AS SELECT x FROM t;\n"+keepRestoreSQL(),
	), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if w := h2.Views["w"]; strings.Join(w.Grants["reader"], ",") != "select" || len(w.Options) != 0 {
		t.Errorf("keep blocks: grants %v, options %v (options come from the CREATE)", w.Grants, w.Options)
	}
}

// TestConflictsFromHeaders: forks are conflicts; reverts, re-creations and
// reconciled forks are not.
func TestConflictsFromHeaders(t *testing.T) {
	t.Parallel()
	hdr := func(lines ...string) string { return strings.Join(lines, "\n") + "\nSELECT 1;\n" }
	cases := []struct {
		name  string
		ups   []string
		wants string // conflicting files, by index
	}{
		{"fork", []string{hdr("-- solarview:view v none h0"), hdr("-- solarview:view v h0 ha"), hdr("-- solarview:view v h0 hb")}, "1,2"},
		{"both create", []string{hdr("-- solarview:view v none ha"), hdr("-- solarview:view v none hb")}, "0,1"},
		{"revert and change again", []string{hdr("-- solarview:view v none h0"), hdr("-- solarview:view v h0 h1"), hdr("-- solarview:view v h1 h0"), hdr("-- solarview:view v h0 h1")}, ""},
		{"drop and create again", []string{hdr("-- solarview:view v none h0"), hdr("-- solarview:view v h0 none"), hdr("-- solarview:view v none h1")}, ""},
		{"merged", []string{hdr("-- solarview:view v none h0"), hdr("-- solarview:view v h0 ha"), hdr("-- solarview:view v h0 hb"),
			hdr("-- solarview:view v hb hc", "-- solarview:merge 20260101000001_m 20260101000002_m")}, ""},
	}
	for _, c := range cases {
		h, err := ReadHistory(files(c.ups...), "migrations")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, cf := range h.Conflicts {
			for _, f := range cf.Files {
				got = append(got, f[len("migrations/2026010100000"):len("migrations/2026010100000")+1])
			}
		}
		if strings.Join(got, ",") != c.wants {
			t.Errorf("%s: conflicts %v, want files %q", c.name, h.Conflicts, c.wants)
		}
	}
}
