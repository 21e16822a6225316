package views

import (
	"reflect"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/models"
)

// TariffComponentBranch is one component table in the tariff_components view.
type TariffComponentBranch struct {
	// Model is the component type's name in package tariff's registry; the
	// view's model column carries it.
	Model string
	// Table is the component table.
	Table string
}

// TariffComponentBranches are the component tables solarview ships, one per
// models.TariffComponentTypes entry, each table named by its model.
var TariffComponentBranches = func() []TariffComponentBranch {
	out := make([]TariffComponentBranch, 0, len(models.TariffComponentTypes))
	for _, ct := range models.TariffComponentTypes {
		out = append(out, TariffComponentBranch{Model: ct.Name, Table: renderDB.Table(reflect.TypeOf(ct.Table)).Name})
	}
	return out
}()

// tariff_components unions every tariff component table as (model, id,
// tariff_id, data), data being the whole row as jsonb: the seed "QuerySets of
// various models". The tables keep their own columns and constraints, yet
// one query (WHERE tariff_id IN ...) fetches every component of the tariffs
// a site uses, and package tariff rebuilds each row as its own Go type from
// model and data.
func init() {
	Register(View{Name: "tariff_components", Model: (*models.TariffComponentRow)(nil), Query: func(db *bun.DB) *bun.SelectQuery {
		return TariffComponents(db, TariffComponentBranches)
	}})
}

// TariffComponents builds the tariff_components view over branches. It is
// exported so a test can add a component type of its own and build the view
// with one more branch.
func TariffComponents(db *bun.DB, branches []TariffComponentBranch) *bun.SelectQuery {
	var union *bun.SelectQuery
	for _, b := range branches {
		q := db.NewSelect().
			TableExpr("? AS c", bun.Ident(b.Table)).
			ColumnExpr("?::text AS model", b.Model).
			ColumnExpr("c.id").
			ColumnExpr("c.tariff_id").
			ColumnExpr("to_jsonb(c) AS data")
		if union == nil {
			union = q
		} else {
			union = union.UnionAll(q)
		}
	}
	// Selecting from the union names the view's columns in one place and
	// keeps each branch self-contained.
	return db.NewSelect().
		TableExpr("(?) AS u", union).
		ColumnExpr("u.model").
		ColumnExpr("u.id").
		ColumnExpr("u.tariff_id").
		ColumnExpr("u.data")
}
