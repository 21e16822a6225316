package views

import (
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/subquery"
	"github.com/solarview/solarview/models"
)

// site_overview is one row per site: the codes of its sensors (sorted; empty
// when it has none) and the first and last timestamps of its energy data —
// generation, register readings and meter intervals, each labelled with the
// start of its interval — NULL for a site with no data yet.
//
// It sits in front of models.SiteOverview, which models.Site reaches through
// a has-one relation, so `Relation("Overview")` loads a site and its overview
// in one query: Bun joins the view like a table (the seed's "join to a
// subquery"), which no query builder can otherwise express as a relation.
//
// The per-site aggregates are correlated subqueries, one per index that
// starts with the site (and, for meter intervals, the direction) and ends
// with the timestamp, so PostgreSQL answers each min or max with one index
// probe rather than scanning a year of intervals per query. Meter intervals
// are asked once per direction for that reason: their primary key has the
// channel before the timestamp.
func init() {
	Register(View{Name: "site_overview", Query: siteOverview, Model: (*models.SiteOverview)(nil)})
}

// dataSource is a table of site data with timestamps, optionally narrowed to
// one meter direction.
type dataSource struct {
	model     any
	direction string
}

// dataSources are the rows whose span the view reports.
var dataSources = []dataSource{
	{model: (*models.Generation)(nil)},
	{model: (*models.ImportCumulative)(nil)},
	{model: (*models.ExportCumulative)(nil)},
	{model: (*models.MeterInterval)(nil), direction: models.DirectionImport},
	{model: (*models.MeterInterval)(nil), direction: models.DirectionExport},
}

func siteOverview(db *bun.DB) *bun.SelectQuery {
	codes := db.NewSelect().Model((*models.Sensor)(nil)).
		Column("code").
		Where("? = ?", bun.Ident("sensor.site_id"), subquery.OuterRef("id")).
		OrderExpr("? ASC", bun.Ident("sensor.code"))

	var firsts, lasts []any
	for _, src := range dataSources {
		timestamps := func() *bun.SelectQuery {
			q := db.NewSelect().Model(src.model).
				ColumnExpr("?TableAlias.?", bun.Ident("timestamp")).
				Where("?TableAlias.? = ?", bun.Ident("site_id"), subquery.OuterRef("id"))
			if src.direction != "" {
				q = q.Where("?TableAlias.? = ?", bun.Ident("direction"), src.direction)
			}
			return q
		}
		firsts = append(firsts, subquery.Aggregate(subquery.Min, timestamps()))
		lasts = append(lasts, subquery.Aggregate(subquery.Max, timestamps()))
	}

	return db.NewSelect().Model((*models.Site)(nil)).
		ColumnExpr("? AS site_id", bun.Ident("site.id")).
		ColumnExpr("? AS sensor_codes", subquery.Array(codes)).
		ColumnExpr("least(?) AS first_data_at", bun.List(firsts)).
		ColumnExpr("greatest(?) AS last_data_at", bun.List(lasts))
}
