package viewmig

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/solarview/solarview/views"
)

func TestNormalizeSelectIgnoresSpelling(t *testing.T) {
	t.Parallel()
	same := []struct{ a, b string }{
		{"SELECT a FROM t WHERE x > 1", "select   A\nfrom T where (x > 1)"},
		{`SELECT "a" FROM "t"`, "SELECT a FROM t"},
		{"SELECT t.a AS a FROM t", "SELECT t.a a FROM t"},
		{"SELECT a FROM t WHERE x = 1 AND y = 2", "SELECT a FROM t WHERE ((x = 1) AND (y = 2))"},
		{"SELECT a FROM t -- comment\n", "/* other */ SELECT a FROM t"},
	}
	for _, c := range same {
		na, err := NormalizeSelect(c.a)
		if err != nil {
			t.Fatal(err)
		}
		nb, err := NormalizeSelect(c.b)
		if err != nil {
			t.Fatal(err)
		}
		if na != nb {
			t.Errorf("%q and %q normalize differently:\n%s\n%s", c.a, c.b, na, nb)
		}
	}
}

func TestNormalizeSelectKeepsMeaning(t *testing.T) {
	t.Parallel()
	// Each pair differs in meaning; a fingerprint would call the first
	// three equal, which is why drift never compares fingerprints.
	differ := []struct{ a, b string }{
		{"SELECT a FROM t WHERE x > 1", "SELECT a FROM t WHERE x > 2"},
		{"SELECT a FROM t WHERE x = 'import'", "SELECT a FROM t WHERE x = 'export'"},
		{"SELECT a FROM t LIMIT 5", "SELECT a FROM t LIMIT 6"},
		{"SELECT a FROM t WHERE x > 1", "SELECT a FROM t WHERE x >= 1"},
		{"SELECT a, b FROM t", "SELECT b, a FROM t"},
		{`SELECT "A" FROM t`, "SELECT a FROM t"},
		{"SELECT (a + b) * c FROM t", "SELECT a + b * c FROM t"},
	}
	for _, c := range differ {
		na, _ := NormalizeSelect(c.a)
		nb, _ := NormalizeSelect(c.b)
		if na == nb {
			t.Errorf("%q and %q normalize to the same %q", c.a, c.b, na)
		}
	}
}

func TestNormalizeSelectRejectsOtherStatements(t *testing.T) {
	t.Parallel()
	for _, sql := range []string{"DELETE FROM t", "SELECT 1; SELECT 2", "SELEC 1"} {
		if _, err := NormalizeSelect(sql); err == nil {
			t.Errorf("NormalizeSelect(%q): want an error", sql)
		}
	}
}

func TestPrettyIsMultiLineAndRoundTrips(t *testing.T) {
	t.Parallel()
	sql := "CREATE VIEW v AS WITH w AS (SELECT site_id, sum(energy) AS e FROM x GROUP BY site_id) " +
		"SELECT w.site_id, w.e, (SELECT max(y.z) FROM y WHERE y.id = w.site_id) AS m FROM w JOIN sites s ON s.id = w.site_id WHERE w.e > 0.5"
	p1, err := Pretty(sql)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(p1, "\n"); n < 10 {
		t.Errorf("pretty output has %d lines, want one per clause and column:\n%s", n, p1)
	}
	// Parsing the pretty text gives the same statement back.
	p2, err := Pretty(p1)
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 {
		t.Errorf("pretty printing is not stable:\n%s\n---\n%s", p1, p2)
	}
	if !strings.Contains(p1, "0.5") {
		t.Errorf("constant lost:\n%s", p1)
	}
}

func TestDependencies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sql  string
		want []string
	}{
		{"SELECT a FROM t", []string{"t"}},
		{"SELECT a FROM public.t JOIN other.u ON true", []string{"other.u", "t"}},
		{"SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.x = t.x)", []string{"t", "u"}},
		{"SELECT (SELECT max(x) FROM u) FROM t", []string{"t", "u"}},
		{"SELECT * FROM (SELECT * FROM u) s", []string{"u"}},
		// CTE names are not relations, but what their bodies read is.
		{"WITH w AS (SELECT * FROM t) SELECT * FROM w JOIN u USING (id)", []string{"t", "u"}},
		{"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r", []string{}},
		// A schema-qualified name is never a CTE.
		{"WITH t AS (SELECT 1) SELECT * FROM t, public.t", []string{"t"}},
		{"SELECT * FROM a UNION SELECT * FROM b", []string{"a", "b"}},
		{"SELECT * FROM generate_series(1, 3)", []string{}},
	}
	for _, c := range cases {
		stmt, err := parseSelect(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		if got := dependencies(stmt); !reflect.DeepEqual(got, c.want) {
			t.Errorf("dependencies(%q) = %v, want %v", c.sql, got, c.want)
		}
	}
}

func TestReplaceable(t *testing.T) {
	t.Parallel()
	cols := func(spec ...string) []Column {
		var out []Column
		for _, s := range spec {
			name, typ, _ := strings.Cut(s, " ")
			out = append(out, Column{Name: name, Type: typ})
		}
		return out
	}
	cases := []struct {
		old, new []Column
		ok       bool
		why      string
	}{
		{cols("a int", "b text"), cols("a int", "b text"), true, ""},
		{cols("a int"), cols("a int", "b text"), true, ""},
		{cols("a int", "b text"), cols("a int"), false, "column b is dropped"},
		{cols("a int", "b text"), cols("a int", "c text"), false, "column b is renamed to c"},
		{cols("a int", "b text"), cols("b text", "a int"), false, "column a moves (columns are reordered)"},
		{cols("a int"), cols("a bigint"), false, "column a changes type from int to bigint"},
		{cols("a numeric(6,3)"), cols("a numeric(8,3)"), false, "column a changes type from numeric(6,3) to numeric(8,3)"},
	}
	for _, c := range cases {
		ok, why := replaceable(c.old, c.new)
		if ok != c.ok || why != c.why {
			t.Errorf("replaceable(%v, %v) = %v %q, want %v %q", c.old, c.new, ok, why, c.ok, c.why)
		}
	}
}

func TestTopoOrder(t *testing.T) {
	t.Parallel()
	state := map[string]*Definition{
		"a": {Name: "a", Deps: []string{"t"}},
		"b": {Name: "b", Deps: []string{"a"}},
		"c": {Name: "c", Deps: []string{"b", "a"}},
		"z": {Name: "z", Deps: []string{"t"}},
		"y": {Name: "y", Deps: []string{"z", "c"}},
	}
	got := topoOrder(state, []string{"y", "c", "b", "a", "z"})
	want := []string{"a", "b", "c", "z", "y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("topoOrder = %v, want %v", got, want)
	}
	if got := dependentsIn(state, []string{"a"}); !reflect.DeepEqual(got, []string{"b", "c", "y"}) {
		t.Errorf("dependentsIn(a) = %v", got)
	}
}

// TestProjectViewsGolden pins the pretty-printed SQL of solarview's own
// views (what sqlview prints and makemigrations writes): a change to a view
// or to the pretty printer shows up here as a readable diff.
func TestProjectViewsGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, name := range []string{"import", "export", "summary", "daily_summary"} {
		v, ok := views.Lookup(name)
		if !ok {
			t.Fatalf("view %s is not registered", name)
		}
		d, err := FromView(v)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := d.CreateSQL(false)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "-- %s reads %s\n%s\n", name, strings.Join(d.Deps, ", "), sql)
	}
	assertGolden(t, "testdata/project_views.golden", b.String())
}

// TestPlanReasonsNameWhatIsRead: a view recreated because it reads a view
// that is itself only recreated names it, whatever the names' order (aa
// reads zz, which reads the changed materialized view x).
func TestPlanReasonsNameWhatIsRead(t *testing.T) {
	t.Parallel()
	def := func(name string, mat bool, query string, deps ...string) *Definition {
		return &Definition{Name: name, Materialized: mat, Query: query, Deps: deps}
	}
	from := map[string]*Definition{
		"x":  def("x", true, "SELECT 1 AS a"),
		"zz": def("zz", false, "SELECT a FROM x", "x"),
		"aa": def("aa", false, "SELECT a FROM zz", "zz"),
	}
	to := map[string]*Definition{
		"x":  def("x", true, "SELECT 2 AS a"),
		"zz": from["zz"],
		"aa": from["aa"],
	}
	p, err := buildPlan(from, to, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"aa": "recreated because it reads zz",
		"zz": "recreated because it reads x",
	}
	for n, w := range want {
		if p.reasons[n] != w {
			t.Errorf("%s: reason %q, want %q", n, p.reasons[n], w)
		}
	}
}
