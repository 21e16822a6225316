package views

import (
	"github.com/solarview/solarview/models"
	"github.com/uptrace/bun"
)

// summary puts a site's energy flows side by side per interval, in Wh:
// generation (PV), import and export (the grid), and consumption, the
// household's load: import + generation - export. Its column names
// (site_id, timestamp, generation, import, export, consumption) are a
// contract: the battery simulation and reports read them by name.
//
// Unlike the seed, which inner-joined the three sources and so silently lost
// every interval one of them lacked, the sources are full-joined per site and
// timestamp. A missing row then depends on whether the site records that kind
// of energy at all:
//
//   - a site with no generation (or import, export) data anywhere has NULL
//     in that column, and so a NULL consumption: it is unknown, not zero;
//   - a site that does record it but has no row for one interval gets 0 for
//     that interval (inverters commonly log nothing at night), as the seed's
//     COALESCE did;
//   - a row that is present with a NULL energy (a register reset, see the
//     import view) stays NULL.
//
// daily_summary sums summary per site and local date, the date being taken in
// the site's own time zone (sites.timezone), so a day runs from local
// midnight to local midnight whatever the server's TimeZone setting. Sums skip
// NULL intervals; a site that never records a kind of energy has NULL for it
// every day.
func init() {
	Register(View{Name: "summary", Query: summary, Model: (*models.Summary)(nil)})
	Register(View{Name: "daily_summary", Query: dailySummary, Model: (*models.DailySummary)(nil)})
}

// flows are summary's energy columns, in order, each with the table or view
// it comes from and that relation's alias.
var flows = []struct{ column, source, alias string }{
	{"generation", "generation", "g"},
	{"import", "import", "i"},
	{"export", "export", "e"},
}

func summary(db *bun.DB) *bun.SelectQuery {
	ts := bun.Ident("timestamp")

	// One row per site and timestamp any source has, with whether each
	// source has a row there: an absent row and a NULL energy differ.
	energy := db.NewSelect().
		ColumnExpr("site_id").
		ColumnExpr("?", ts).
		TableExpr("generation AS g").
		Join("FULL JOIN import AS i USING (site_id, ?)", ts).
		Join("FULL JOIN export AS e USING (site_id, ?)", ts)
	for _, f := range flows {
		energy = energy.
			ColumnExpr("?.energy AS ?", bun.Ident(f.alias), bun.Ident(f.column)).
			ColumnExpr("?.site_id IS NOT NULL AS ?", bun.Ident(f.alias), bun.Ident("has_"+f.column))
	}

	// A window over the site, not a correlated EXISTS per row: the import
	// and export views are too costly to probe once per interval.
	filled := db.NewSelect().
		TableExpr("energy AS e").
		ColumnExpr("e.site_id").
		ColumnExpr("e.?", ts)
	for _, f := range flows {
		has := bun.Ident("has_" + f.column)
		filled = filled.ColumnExpr(
			"CASE WHEN e.? THEN e.? WHEN bool_or(e.?) OVER (PARTITION BY e.site_id) THEN 0 END AS ?",
			has, bun.Ident(f.column), has, bun.Ident(f.column))
	}

	return db.NewSelect().
		With("energy", energy).
		With("filled", filled).
		TableExpr("filled AS f").
		ColumnExpr("f.site_id").
		ColumnExpr("f.?", ts).
		ColumnExpr("f.generation").
		ColumnExpr("f.import").
		ColumnExpr("f.export").
		ColumnExpr("f.import + f.generation - f.export AS consumption")
}

func dailySummary(db *bun.DB) *bun.SelectQuery {
	localDate := bun.SafeQuery("(s.? AT TIME ZONE site.timezone)::date", bun.Ident("timestamp"))
	q := db.NewSelect().
		TableExpr("summary AS s").
		Join("JOIN sites AS site ON site.id = s.site_id").
		ColumnExpr("s.site_id").
		ColumnExpr("? AS ?", localDate, bun.Ident("date"))
	for _, c := range []string{"generation", "import", "export", "consumption"} {
		q = q.ColumnExpr("sum(s.?) AS ?", bun.Ident(c), bun.Ident(c))
	}
	return q.GroupExpr("s.site_id, ?", localDate)
}
