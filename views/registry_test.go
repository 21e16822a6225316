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
// relative to the repository root, instead of a panic at start-up.
func TestRegisterRefusalsAreErrorsWithTheirLocation(t *testing.T) {
	q := func(db *bun.DB) *bun.SelectQuery { return db.NewSelect().ColumnExpr("1") }
	before := len(Errors())
	Register(View{Name: "registry_test_dup", Query: q})
	Register(View{Name: "registry_test_dup", Query: q}) // line A
	Register(View{Name: "", Query: q})
	errs := Errors()[before:]
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
	mu.Lock()
	delete(registry, "registry_test_dup")
	delete(sources, "registry_test_dup")
	problems = problems[:before]
	mu.Unlock()
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
