package views

import (
	"errors"
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
