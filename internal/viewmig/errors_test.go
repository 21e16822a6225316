package viewmig

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/views"
)

// TestViewErrorsCarryTheBuilderLocation: a view that does not plan, does
// not parse or panics is reported at the line that registered it.
func TestViewErrorsCarryTheBuilderLocation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	misspelt := views.Here(view("monthly_totals", func(db *bun.DB) *bun.SelectQuery {
		return db.NewSelect().TableExpr("readings AS r").ColumnExpr("r.enrgy")
	}))
	_, wantLine, _ := misspelt.Location()
	scratch := func(context.Context) (*bun.DB, func(), error) { return dbtest.NewDB(t), func() {}, nil }
	_, err := MakeMigration(ctx, MakeOptions{Views: []views.View{misspelt}, FS: baseMigration, Scratch: scratch})
	var se *SourceError
	if !errors.As(err, &se) || se.File != "internal/viewmig/errors_test.go" || se.Line != wantLine ||
		!strings.Contains(err.Error(), "does not plan") || !strings.Contains(err.Error(), "enrgy") {
		t.Fatalf("plan error: %v", err)
	}

	for name, build := range map[string]func(db *bun.DB) *bun.SelectQuery{
		"unparsable": func(db *bun.DB) *bun.SelectQuery { return db.NewSelect().ColumnExpr("1 +") },
		"panicking":  func(db *bun.DB) *bun.SelectQuery { var q *bun.SelectQuery; return q.ColumnExpr("1") },
	} {
		v := views.Here(view(name, build))
		_, line, _ := v.Location()
		_, err := FromViews([]views.View{v})
		if !errors.As(err, &se) || se.File != "internal/viewmig/errors_test.go" || se.Line != line || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
