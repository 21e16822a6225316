package views

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/solarview/solarview/models"
)

// Interval energy is stored in energy_days (migration
// 20261127120000_energy_days): one row per site, kind (generation, import,
// export), channel and NEM day, the day's values in an array the way a NEM12
// 300 record carries them — element n is the interval starting at
// start + (n-1)·step, a NULL element an interval without a reading. That
// keeps a site-year in about 3 MB instead of 60; these views turn the arrays
// back into one row per interval.
//
//   - meter_intervals (site_id, channel, direction, timestamp, duration,
//     energy, quality, updated_at): every metered interval of the import and
//     export channels, as the table of that name held it before.
//   - generation (site_id, timestamp, energy): PV generation per interval.
//
// The import and export views give the grid energy of each site per interval,
// in Wh, one row per (site_id, timestamp) where timestamp is the START of the
// interval, like every other interval row in solarview.
//
// Two sources feed them:
//
//   - metered intervals (NEM12 channels, interval CSVs). They are preferred:
//     they are what the retailer bills. A site may have several channels in
//     one direction (e.g. E1 and E2 for two tariff registers), so channels
//     are summed per interval.
//   - import_cumulative / export_cumulative, register readings as an inverter
//     or smart meter logs them (the seed's data). Each pair of consecutive
//     readings of a site is one interval, labelled with the earlier
//     reading's timestamp (lag over timestamp, partitioned by site).
//
// A register interval is left out whenever any metered interval of the same
// site and direction overlaps it, so a site with both sources never counts the
// same energy twice, while a site that has registers for one year and meter
// files for the next keeps both years.
//
// A register that goes backwards was reset or replaced. The energy of that
// interval is unknown (a replacement meter can start at any reading, a
// rollover loses what came before it), so the row is kept with a NULL energy
// rather than a negative one or a guess: downstream, a NULL is a gap, and gaps
// never invent energy.
func init() {
	Register(View{Name: "meter_intervals", Query: meterIntervals, Model: (*models.MeterInterval)(nil)})
	Register(View{Name: "generation", Query: generation, Model: (*models.Generation)(nil)})
	Register(View{Name: "import", Model: (*models.ImportEnergy)(nil), Query: func(db *bun.DB) *bun.SelectQuery {
		return gridEnergy(db, "import", "import_cumulative")
	}})
	Register(View{Name: "export", Model: (*models.ExportEnergy)(nil), Query: func(db *bun.DB) *bun.SelectQuery {
		return gridEnergy(db, "export", "export_cumulative")
	}})
}

// Kinds of energy_days rows.
const (
	kindGeneration = "generation"
	kindImport     = "import"
	kindExport     = "export"
)

// nemDay is the origin of the NEM days rows are cut at: a NEM midnight
// (UTC+10, no daylight saving).
const nemDay = "2000-01-01 00:00:00+10"

// bucketOf is the NEM day (as its first instant) holding the row whose
// start is the column start of alias a.
func bucketOf(a string) schema.QueryAppender {
	return bun.SafeQuery("date_bin(?, ?.start, ?::timestamptz)", "24 hours", bun.Ident(a), nemDay)
}

// unnested is energy_days as one row per interval with a reading, for the
// kinds given: alias r is the row, u.v the energy and intervalStart the
// interval's start. The caller picks the columns.
func unnested(db *bun.DB, kinds ...string) *bun.SelectQuery {
	return db.NewSelect().
		TableExpr("energy_days AS r").
		Join("CROSS JOIN LATERAL unnest(r.energy) WITH ORDINALITY AS u(v, n)").
		Where("r.kind IN (?)", bun.In(kinds)).
		Where("u.v IS NOT NULL")
}

// intervalStart is the start of element u.n of row r.
var intervalStart = bun.SafeQuery("r.start + (u.n - 1) * r.step")

// meterIntervals keeps the column order of the table it replaces, so that
// INSERT ... VALUES written for the table still work (see migration
// 20261127120002_interval_inserts).
func meterIntervals(db *bun.DB) *bun.SelectQuery {
	return unnested(db, kindImport, kindExport).
		ColumnExpr("r.site_id").
		ColumnExpr("r.channel").
		ColumnExpr("r.kind AS direction").
		ColumnExpr("? AS ?", intervalStart, bun.Ident("timestamp")).
		ColumnExpr("r.step AS duration").
		ColumnExpr("u.v AS energy").
		ColumnExpr("coalesce(substr(r.quality, u.n::int, 1), ?) AS quality", "A").
		ColumnExpr("r.updated_at")
}

func generation(db *bun.DB) *bun.SelectQuery {
	return unnested(db, kindGeneration).
		ColumnExpr("r.site_id").
		ColumnExpr("? AS ?", intervalStart, bun.Ident("timestamp")).
		ColumnExpr("u.v AS energy")
}

// gridEnergy builds the import or export view: kind is the energy_days kind,
// registers the cumulative register table.
func gridEnergy(db *bun.DB, kind, registers string) *bun.SelectQuery {
	ts := bun.Ident("timestamp")
	fromMeter := unnested(db, kind).
		ColumnExpr("r.site_id").
		ColumnExpr("? AS ?", intervalStart, ts).
		ColumnExpr("sum(u.v) AS energy").
		GroupExpr("r.site_id, 2")
	fromRegisters := registerIntervals(db, kind, registers).
		ColumnExpr("d.site_id").
		ColumnExpr("d.start AS ?", ts).
		ColumnExpr("? AS energy", registerEnergy)
	return db.NewSelect().
		TableExpr("(?) AS u", fromMeter.UnionAll(fromRegisters)).
		ColumnExpr("u.site_id").
		ColumnExpr("u.?", ts).
		ColumnExpr("u.energy")
}

// registerEnergy is a register interval's energy from alias d of
// registerIntervals: NULL when the register went backwards.
var registerEnergy = bun.SafeQuery("CASE WHEN d.current >= d.previous THEN d.current - d.previous END")

// registerIntervals selects, from alias d, the intervals between consecutive
// readings of a register table (site_id, start, finish, previous, current) that no
// metered interval of the same site and kind overlaps; the caller picks the
// columns.
func registerIntervals(db *bun.DB, kind, registers string) *bun.SelectQuery {
	ts := bun.Ident("timestamp")
	bySite := bun.SafeQuery("PARTITION BY c.site_id ORDER BY c.?", ts)
	readings := db.NewSelect().
		TableExpr("? AS c", bun.Ident(registers)).
		ColumnExpr("c.site_id").
		ColumnExpr("lag(c.?) OVER (?) AS start", ts, bySite).
		ColumnExpr("c.? AS finish", ts).
		ColumnExpr("lag(c.energy) OVER (?) AS previous", bySite).
		ColumnExpr("c.energy AS current")

	// A row holds intervals starting within its NEM day, so one starting
	// more than two days before the register interval cannot reach it: the
	// primary key (site_id, kind, start, ...) bounds the probe. Within a
	// row, the elements overlapping [start, finish) are a slice computed
	// from the offsets; any reading there overlaps.
	epoch := func(expr string) schema.QueryAppender {
		return bun.SafeQuery("extract(epoch FROM " + expr + ") / extract(epoch FROM m.step)")
	}
	overlapping := db.NewSelect().
		TableExpr("energy_days AS m").
		ColumnExpr("1").
		Where("m.site_id = d.site_id").
		Where("m.kind = ?", kind).
		Where("m.start < d.finish").
		Where("m.start > d.start - ?::interval", "48 hours").
		Where("EXISTS (SELECT 1 FROM unnest(m.energy[floor(?)::int + 1 : ceil(?)::int]) AS x(v) WHERE x.v IS NOT NULL)",
			epoch("d.start - m.start"), epoch("d.finish - m.start"))

	return db.NewSelect().
		TableExpr("(?) AS d", readings).
		Where("d.previous IS NOT NULL").
		Where("NOT EXISTS (?)", overlapping)
}
