package views

import (
	"github.com/solarview/solarview/models"
	"github.com/uptrace/bun"
)

// The import and export views give the grid energy of each site per interval,
// in Wh, one row per (site_id, timestamp) where timestamp is the START of the
// interval, like every other interval row in solarview.
//
// Two sources feed them:
//
//   - meter_intervals, the interval energy a meter reports (NEM12 channels,
//     interval CSVs). It is preferred: it is what the retailer bills. A site
//     may have several channels in one direction (e.g. E1 and E2 for two
//     tariff registers), so channels are summed per interval.
//   - import_cumulative / export_cumulative, register readings as an inverter
//     or smart meter logs them (the seed's data). Each pair of consecutive
//     readings of a site is one interval, labelled with the earlier
//     reading's timestamp (lag over timestamp, partitioned by site).
//
// A register interval is left out whenever any meter interval of the same site
// and direction overlaps it, so a site with both sources never counts the same
// energy twice, while a site that has registers for one year and meter files
// for the next keeps both years.
//
// A register that goes backwards was reset or replaced. The energy of that
// interval is unknown (a replacement meter can start at any reading, a
// rollover loses what came before it), so the row is kept with a NULL energy
// rather than a negative one or a guess: downstream, a NULL is a gap, and gaps
// never invent energy.
func init() {
	Register(View{Name: "import", Model: (*models.ImportEnergy)(nil), Query: func(db *bun.DB) *bun.SelectQuery {
		return gridEnergy(db, "import", "import_cumulative")
	}})
	Register(View{Name: "export", Model: (*models.ExportEnergy)(nil), Query: func(db *bun.DB) *bun.SelectQuery {
		return gridEnergy(db, "export", "export_cumulative")
	}})
}

// gridEnergy builds the import or export view: direction is the
// meter_intervals.direction value, registers the cumulative register table.
func gridEnergy(db *bun.DB, direction, registers string) *bun.SelectQuery {
	ts := bun.Ident("timestamp")

	// Interval energy summed over the site's channels in this direction.
	intervals := db.NewSelect().
		TableExpr("meter_intervals AS m").
		ColumnExpr("m.site_id").
		ColumnExpr("m.?", ts).
		ColumnExpr("sum(m.energy) AS energy").
		Where("m.direction = ?", direction).
		GroupExpr("m.site_id, m.?", ts)

	// The longest meter interval per site bounds how far back an interval
	// overlapping a register interval can start, which keeps the overlap
	// test below an index range scan instead of a scan of the site's history.
	longest := db.NewSelect().
		TableExpr("meter_intervals AS m").
		ColumnExpr("m.site_id").
		ColumnExpr("max(m.duration) AS duration").
		Where("m.direction = ?", direction).
		GroupExpr("m.site_id")

	bySite := bun.SafeQuery("PARTITION BY r.site_id ORDER BY r.?", ts)
	readings := db.NewSelect().
		TableExpr("? AS r", bun.Ident(registers)).
		ColumnExpr("r.site_id").
		ColumnExpr("lag(r.?) OVER (?) AS start", ts, bySite).
		ColumnExpr("r.? AS finish", ts).
		ColumnExpr("lag(r.energy) OVER (?) AS previous", bySite).
		ColumnExpr("r.energy AS current")

	overlapping := db.NewSelect().
		TableExpr("meter_intervals AS m").
		ColumnExpr("1").
		Where("m.site_id = d.site_id").
		Where("m.direction = ?", direction).
		Where("m.? < d.finish", ts).
		Where("m.? > d.start - l.duration", ts).
		Where("m.? + m.duration > d.start", ts)

	fromRegisters := db.NewSelect().
		TableExpr("readings AS d").
		Join("LEFT JOIN longest AS l ON l.site_id = d.site_id").
		ColumnExpr("d.site_id").
		ColumnExpr("d.start AS ?", ts).
		ColumnExpr("CASE WHEN d.current >= d.previous THEN d.current - d.previous END AS energy").
		Where("d.previous IS NOT NULL").
		Where("NOT EXISTS (?)", overlapping)

	fromMeter := db.NewSelect().
		TableExpr("intervals AS i").
		ColumnExpr("i.site_id").
		ColumnExpr("i.?", ts).
		ColumnExpr("i.energy")

	// The union is a subquery so that the CTEs are in scope for both of its
	// branches: Bun would put them inside the first branch's parentheses.
	return db.NewSelect().
		With("intervals", intervals).
		With("longest", longest).
		With("readings", readings).
		TableExpr("(?) AS u", fromMeter.UnionAll(fromRegisters)).
		ColumnExpr("u.site_id").
		ColumnExpr("u.?", ts).
		ColumnExpr("u.energy")
}
