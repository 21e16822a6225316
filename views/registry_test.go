package views

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// TestSQLReportsEmbeddedErrors checks that a builder mistake Bun writes into
// the SQL (as ?!(…)) instead of returning becomes an error, so neither
// check nor makemigrations ever compares or writes broken SQL.
func TestSQLReportsEmbeddedErrors(t *testing.T) {
	t.Parallel()
	v := View{Name: "broken", Query: func(db *bun.DB) *bun.SelectQuery {
		return db.NewSelect().TableExpr("sites").Where("id = ?", failingAppender{})
	}}
	sql, err := v.SQL()
	if err == nil {
		t.Fatalf("SQL() = %q, want an error", sql)
	}
	if !strings.Contains(err.Error(), `view "broken"`) {
		t.Errorf("error %q does not name the view", err)
	}
}

// failingAppender is an expression whose rendering fails, as a builder
// extension with a bad argument does.
type failingAppender struct{}

func (failingAppender) AppendQuery(schema.QueryGen, []byte) ([]byte, error) {
	return nil, errors.New("bad argument")
}

func TestEveryRegisteredViewRenders(t *testing.T) {
	t.Parallel()
	if len(All()) == 0 {
		t.Fatal("no views registered")
	}
	for _, v := range All() {
		if _, err := v.SQL(); err != nil {
			t.Errorf("%s: %v", v.Name, err)
		}
	}
}

// TestRegisterRefusalsAreErrorsWithTheirLocation: a duplicate name or an
// empty view is kept as an error naming the Register call's file and line,
// relative to the repository root, instead of a panic at start-up. It
// registers in a registry of its own, so the package's stays as the init
// functions made it for the tests running beside it.
func TestRegisterRefusalsAreErrorsWithTheirLocation(t *testing.T) {
	t.Parallel()
	r := newRegistry()
	register := func(v View) {
		file, line := callerOutside() // as Register does: the line calling register
		r.register(v, file, line)
	}
	q := func(db *bun.DB) *bun.SelectQuery { return db.NewSelect().ColumnExpr("1") }
	register(View{Name: "registry_test_dup", Query: q})
	register(View{Name: "registry_test_dup", Query: q}) // line A
	register(View{Name: "", Query: q})
	errs := r.errors()
	if len(errs) != 2 {
		t.Fatalf("errors = %v", errs)
	}
	if errs[0].File != "views/registry_test.go" && !strings.HasSuffix(errs[0].File, "registry_test.go") {
		t.Errorf("file = %q", errs[0].File)
	}
	if got := errs[0].Error(); !strings.HasPrefix(got, "views/registry_test.go:") || !strings.Contains(got, "registered twice (first at views/registry_test.go:") {
		t.Errorf("duplicate: %s", got)
	}
	if errs[1].Line != errs[0].Line+1 {
		t.Errorf("lines %d, %d", errs[0].Line, errs[1].Line)
	}
	if all := r.all(); len(all) != 1 || all[0].Name != "registry_test_dup" {
		t.Errorf("registered: %v", all)
	}
	if _, ok := Lookup("registry_test_dup"); ok || len(Errors()) != 0 {
		t.Errorf("the test's registrations reached the package's registry (errors %v)", Errors())
	}
}

// TestBuilderPanicIsAnError: a builder that panics gives an error with
// the panicking line, not a stack trace.
func TestBuilderPanicIsAnError(t *testing.T) {
	t.Parallel()
	var cols []string
	v := View{Name: "panicky", Query: func(db *bun.DB) *bun.SelectQuery {
		return db.NewSelect().ColumnExpr(cols[3]) // index out of range
	}}
	_, err := v.SQL()
	if err == nil || !strings.Contains(err.Error(), "panicked") || !strings.Contains(err.Error(), "views/registry_test.go:") {
		t.Fatalf("err = %v", err)
	}
}

func TestRepoPath(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		filepath.Join(wd, "summary.go"):                  "views/summary.go",
		"github.com/solarview/solarview/views/energy.go": "views/energy.go",
		"/nonexistent/dir/x.go":                          "/nonexistent/dir/x.go",
	} {
		if got := RepoPath(in); got != want {
			t.Errorf("RepoPath(%q) = %q, want %q", in, got, want)
		}
	}
}
