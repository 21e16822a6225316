package views

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

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
// starts with the site (and, for energy_days, the kind) and goes on with the
// timestamp, so PostgreSQL answers each min or max with an index probe
// rather than scanning a year of intervals per query.
func init() {
	Register(View{Name: "site_overview", Query: siteOverview, Model: (*models.SiteOverview)(nil)})
}

// registerTables are the register readings whose span the view reports.
var registerTables = []any{(*models.ImportCumulative)(nil), (*models.ExportCumulative)(nil)}

// energyKinds are the kinds of energy_days rows whose span the view reports.
var energyKinds = []string{kindGeneration, kindImport, kindExport}

// energyEdge is the first (or, with last, the last) interval with a reading
// of one kind of the site's energy_days. The primary key (site_id, kind,
// start, …) finds the first or last row's start in one probe; only the rows
// of that NEM day are then unnested to find the reading.
func energyEdge(kind string, last bool) schema.QueryAppender {
	agg, near := "min", "r.start < (SELECT min(m.start) FROM energy_days AS m WHERE m.site_id = site.id AND m.kind = ?0) + interval '24 hours'"
	if last {
		agg, near = "max", "r.start > (SELECT max(m.start) FROM energy_days AS m WHERE m.site_id = site.id AND m.kind = ?0) - interval '24 hours'"
	}
	return bun.SafeQuery("(SELECT "+agg+"(r.start + (u.n - 1) * r.step) FROM energy_days AS r "+
		"CROSS JOIN LATERAL unnest(r.energy) WITH ORDINALITY AS u(v, n) "+
		"WHERE r.site_id = site.id AND r.kind = ?0 AND u.v IS NOT NULL AND "+near+")", kind)
}

func siteOverview(db *bun.DB) *bun.SelectQuery {
	codes := db.NewSelect().Model((*models.Sensor)(nil)).
		Column("code").
		Where("? = ?", bun.Ident("sensor.site_id"), subquery.OuterRef("id")).
		OrderExpr("? ASC", bun.Ident("sensor.code"))

	var firsts, lasts []any
	for _, kind := range energyKinds {
		firsts = append(firsts, energyEdge(kind, false))
		lasts = append(lasts, energyEdge(kind, true))
	}
	for _, model := range registerTables {
		timestamps := func() *bun.SelectQuery {
			return db.NewSelect().Model(model).
				ColumnExpr("?TableAlias.?", bun.Ident("timestamp")).
				Where("?TableAlias.? = ?", bun.Ident("site_id"), subquery.OuterRef("id"))
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
