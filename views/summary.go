package views

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/solarview/solarview/models"
)

// summary puts a site's energy flows side by side per interval, in Wh:
// generation (PV), import and export (the grid), consumption, the
// household's load: import + generation - export, and controlled_load, the
// part of import on controlled-load channels (the import channel "CL":
// off-peak hot water on a circuit of its own, which tariffs price apart and
// a home battery does not supply). Its column names (site_id, timestamp,
// generation, import, export, consumption, controlled_load) are a contract:
// the battery simulation and reports read them by name.
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
// controlled_load follows the same rules: NULL at a site without a
// controlled-load channel, 0 for an interval without a reading at a site
// with one. import is the general channels' import plus controlled_load, so
// it is what it always was, the sum of every import channel.
//
// daily_summary sums summary per site and local date, the date being taken in
// the site's own time zone (sites.timezone), so a day runs from local
// midnight to local midnight whatever the server's TimeZone setting. Sums skip
// NULL intervals; a site that never records a kind of energy has NULL for it
// every day.
//
// daily_summary's plan is summary's plus one hash aggregate: NEM days are
// not local days (and a site's zone may change), so it sums intervals rather
// than whole arrays; with summary's rows cheap, a site-year costs about what
// the same GROUP BY over a plain per-interval table does (README, "Storage").
func init() {
	Register(View{Name: "summary", Query: summary, Model: (*models.Summary)(nil)})
	Register(View{Name: "daily_summary", Query: dailySummary, Model: (*models.DailySummary)(nil)})
}

// controlledLoadChannel is the channel controlled load is imported on
// (ingest.ChannelControlledLoad; a test holds the two equal).
const controlledLoadChannel = "CL"

// flow is one of the energies summary reads from energy_days: the rows of
// one kind, import split into the general channels and the controlled load.
type flow struct {
	// column names the flow in summary's plan, and short in its unnested
	// rows.
	column, short string
	kind          string
	// controlled picks, of the import rows, the controlled-load channel
	// rather than the others.
	controlled bool
}

// flows are the flows in the order summary's plan carries them. The
// "import" flow is the general channels' import only; summary's import
// column adds controlled_load back.
var flows = []flow{
	{column: kindGeneration, short: "g", kind: kindGeneration},
	{column: kindImport, short: "i", kind: kindImport},
	{column: kindExport, short: "e", kind: kindExport},
	{column: "controlled_load", short: "c", kind: kindImport, controlled: true},
}

// of is true for an energy_days row (alias a) of the flow.
func (f flow) of(a string) schema.QueryAppender {
	if f.kind != kindImport {
		return bun.SafeQuery("?.kind = ?", bun.Ident(a), f.kind)
	}
	if f.controlled {
		return bun.SafeQuery("?0.kind = ?1 AND ?0.channel = ?2", bun.Ident(a), f.kind, controlledLoadChannel)
	}
	return bun.SafeQuery("?0.kind = ?1 AND ?0.channel <> ?2", bun.Ident(a), f.kind, controlledLoadChannel)
}

// flowOf names the flow of energy_days row alias a.
func flowOf(a string) schema.QueryAppender {
	return bun.SafeQuery("CASE WHEN ? THEN ? ELSE ?.kind END", flows[3].of(a), flows[3].column, bun.Ident(a))
}

// totalImport is summary's import from the general import i and the
// controlled load c, either NULL when the site has no such channel.
func totalImport(i, c schema.QueryAppender) schema.QueryAppender {
	return bun.SafeQuery("coalesce(? + ?, ?, ?)", i, c, i, c)
}

// The plan. Most days of most sites are "aligned": in that NEM day the site
// has at most one energy_days row per flow (generation, general import,
// export, controlled load), and all of them share start and step. Their
// arrays then line up element by element, so summary's rows for the day are
// the arrays read side by side — one unnest of the day's arrays, without
// joining or sorting anything per interval. The per-site facts the NULL
// rules need (does the site record generation at all? does it have register
// readings?) are computed once per site, from the index alone, and joined to
// the site's days.
//
// Everything else takes the general path, which is the definition above
// spelt out: days that are not aligned (two import channels, a 15-minute
// channel next to a 30-minute one) and every day of a site with register
// readings are unnested into one row per interval and kind, register
// intervals (see the import view) are added, and the rows are grouped per
// site and timestamp. The two paths never cover the same site and day, so no
// interval appears twice.
//
// Every join, group and window is per site (site_id is in each of them), so
// `WHERE site_id = …` reaches the index and a site's rows never depend on
// another site's.
//
// The branches are in the order of their size: the general path, then the
// aligned days with gaps, then the complete days, nearly all of the data.
// A branch whose days are grouped by sorting (GroupAggregate rather than
// HashAggregate) gives a site's days in order, so a site's rows then come
// as a few runs each in time order, the longest last, and a reader can put
// them in order by holding only the short runs. The battery report does:
// it asks for sorted grouping and merges the runs (internal/report's
// mergeRuns), which costs PostgreSQL about 2 ms a site-year where sorting
// the rows costs about 19. SQL promises no order, so the report checks
// every row; the view itself leaves the planner free, since ordering the
// days here made every other reader of summary pay for it.
//
// Measured (README, "Storage"), a site-year's rows cost almost all per row:
// on complete days, one set-returning function per array and the join's
// projection per interval, on top of sending the row. Around that, the plan
// keeps its fixed costs small: no day's arrays are grouped or buffered
// twice. (An earlier plan took the site's facts from a window over its days
// and grouped every day again for the days with gaps; both buffered every
// array once more, and the server faulted in megabytes of fresh memory on
// every query.)
func summary(db *bun.DB) *bun.SelectQuery {
	ts := bun.Ident("timestamp")
	x := db.NewSelect().
		TableExpr("(?) AS x", otherDays(db).UnionAll(alignedDays(db))).
		ColumnExpr("x.site_id").
		ColumnExpr("x.?", ts)
	for _, c := range []string{"generation", "import", "export", "consumption", "controlled_load"} {
		x = x.ColumnExpr("x.?", bun.Ident(c))
	}
	return x
}

// outputs are the columns each branch of summary's union gives after
// site_id and timestamp, from its flows (expressions in flows' order).
func outputs(q *bun.SelectQuery, f [4]schema.QueryAppender) *bun.SelectQuery {
	imp := totalImport(f[1], f[3])
	return q.ColumnExpr("? AS generation", f[0]).
		ColumnExpr("? AS ?", imp, bun.Ident("import")).
		ColumnExpr("? AS export", f[2]).
		ColumnExpr("?", consumption(f[0], imp, f[2])).
		ColumnExpr("? AS controlled_load", f[3])
}

// consumption is import + generation - export of the flows given as
// expressions, in flows' order.
func consumption(g, i, e schema.QueryAppender) schema.QueryAppender {
	return bun.SafeQuery("? + ? - ? AS consumption", i, g, e)
}

// aligned is true for a row of energy_days grouped per site and NEM day
// (aggregates over r) when the day is aligned.
func aligned() schema.QueryAppender {
	q := bun.SafeQuery("min(r.start) = max(r.start) AND min(r.step) = max(r.step)")
	for _, f := range flows {
		q = bun.SafeQuery("? AND count(*) FILTER (WHERE ?) <= 1", q, f.of("r"))
	}
	return q
}

// siteKinds is one row per site: has_<flow>, whether the site records that
// flow on some day, zero_<flow>, what an interval without a reading of that
// flow shows (0 when the site records it, else NULL), and registers, whether
// the site has register readings. Each fact is one probe of an index, so a
// site costs a few microseconds however much data it has. The GROUP BY
// keeps PostgreSQL from pulling the subquery up into the query around it,
// which would evaluate these tests once per day instead of once per site.
func siteKinds(db *bun.DB) *bun.SelectQuery {
	q := db.NewSelect().
		TableExpr("sites AS s").
		ColumnExpr("s.id AS site_id").
		GroupExpr("s.id")
	for _, f := range flows {
		has := bun.SafeQuery("EXISTS (SELECT 1 FROM energy_days AS r WHERE r.site_id = s.id AND ?)", f.of("r"))
		q = q.ColumnExpr("? AS ?", has, bun.Ident("has_"+f.column)).
			ColumnExpr("CASE WHEN ? THEN 0::float8 END AS ?", has, bun.Ident("zero_"+f.column))
	}
	return q.ColumnExpr("? AS registers", bun.SafeQuery("EXISTS (SELECT 1 FROM import_cumulative AS c WHERE c.site_id = s.id) OR "+
		"EXISTS (SELECT 1 FROM export_cumulative AS c WHERE c.site_id = s.id)"))
}

// alignedDays is summary's fast path, over the aligned days of sites
// without register readings: for each site (k, from siteKinds), a lateral
// subquery groups the site's days and unnests them. The set-returning
// functions are alone in that subquery's select list, where PostgreSQL runs
// them in step, one value at a time (in FROM it would first copy each array
// into a tuplestore): the n-th row has the n-th element of every array.
// The rest of the row — the site, the totals, consumption — is the join's
// projection, with the site's facts at hand.
//
// Complete days — every array the day has is full, as whole meter days are
// — are nearly all of them and need nothing per interval beyond that: a
// flow the day lacks is filled in per day (zeros, or NULLs for a flow the
// site never records). The controlled load is the exception: most sites
// have none, and unnesting a filled array for them would cost a function
// call per row, so a day without its array unnests nothing (a single call
// for the day) and the join fills in zero_controlled_load. Days with
// missing readings have a branch of their own, which drops intervals
// without any reading and fills the others' missing flows; it groups only
// those days, so the complete days' arrays are grouped once.
func alignedDays(db *bun.DB) *bun.SelectQuery {
	ts := bun.Ident("timestamp")
	branch := func(complete bool) *bun.SelectQuery {
		elements := db.NewSelect().
			TableExpr("(?) AS d", flaggedDays(db, !complete)).
			ColumnExpr("generate_series(d.start, d.start + (d.size - 1) * d.step, d.step) AS ?", ts).
			Where("d.aligned")
		if complete {
			elements = elements.Where("d.complete")
		} else {
			elements = elements.Where("NOT d.complete")
		}
		for _, f := range flows {
			col, short := bun.Ident(f.column), bun.Ident(f.short)
			if complete && !f.controlled {
				elements = elements.ColumnExpr("unnest(coalesce(d.?, array_fill(k.?, ARRAY[d.size]))) AS ?",
					col, bun.Ident("zero_"+f.column), short)
			} else {
				elements = elements.ColumnExpr("unnest(d.?) AS ?", col, short)
			}
		}
		q := db.NewSelect().
			TableExpr("(?) AS k", siteKinds(db)).
			Join("CROSS JOIN LATERAL (?) AS u", elements).
			ColumnExpr("k.site_id").
			ColumnExpr("u.?", ts).
			Where("NOT k.registers")
		var v [4]schema.QueryAppender
		for n, f := range flows {
			v[n] = bun.Ident("u." + f.short)
			if !complete || f.controlled {
				v[n] = bun.SafeQuery("coalesce(u.?, k.?)", bun.Ident(f.short), bun.Ident("zero_"+f.column))
			}
		}
		if !complete {
			q = q.Where("(u.g IS NOT NULL OR u.i IS NOT NULL OR u.e IS NOT NULL OR u.c IS NOT NULL)")
		}
		return outputs(q, v)
	}
	return branch(false).UnionAll(branch(true))
}

// flaggedDays is the energy_days rows of site k.site_id grouped per NEM day:
// whether the day is aligned, its start, step and size, one array per flow
// (NULL when the day has none) and whether every array it has is complete
// (no NULL element). With gapsOnly, only days with a NULL element somewhere
// are grouped; they are found from the arrays' headers (array_position
// answers at once for an array without NULLs), not by grouping arrays.
func flaggedDays(db *bun.DB, gapsOnly bool) *bun.SelectQuery {
	q := db.NewSelect().
		TableExpr("energy_days AS r").
		ColumnExpr("r.site_id").
		ColumnExpr("min(r.start) AS start").
		ColumnExpr("min(r.step) AS step").
		ColumnExpr("max(cardinality(r.energy)) AS size").
		ColumnExpr("? AS aligned", aligned()).
		ColumnExpr("bool_and(array_position(r.energy, NULL) IS NULL) AS complete").
		Where("r.site_id = k.site_id").
		GroupExpr("r.site_id, ?", bucketOf("r"))
	if gapsOnly {
		q = q.Where("EXISTS (?)", db.NewSelect().
			TableExpr("energy_days AS n").
			ColumnExpr("1").
			Where("n.site_id = r.site_id").
			Where("? = ?", bucketOf("n"), bucketOf("r")).
			Where("array_position(n.energy, NULL) IS NOT NULL"))
	}
	for _, f := range flows {
		q = q.ColumnExpr("max(r.energy) FILTER (WHERE ?) AS ?", f.of("r"), bun.Ident(f.column))
	}
	return q
}

// otherDays is summary's general path. The days it covers are found from
// narrow columns first (no array is copied or sorted), so on a site whose
// days are all aligned it costs one pass over the site's row headers. The
// site's facts (siteKinds: which flows it records anywhere, not only on
// these days, and whether it has register readings) are read once per site.
func otherDays(db *bun.DB) *bun.SelectQuery {
	ts := bun.Ident("timestamp")
	days := db.NewSelect().
		TableExpr("energy_days AS r").
		ColumnExpr("r.site_id").
		ColumnExpr("? AS day", bucketOf("r")).
		Where("r.site_id = k.site_id").
		GroupExpr("r.site_id, ?", bucketOf("r")).
		Having("NOT (?) OR k.registers", aligned())
	meter := db.NewSelect().
		TableExpr("(?) AS k", siteKinds(db)).
		Join("CROSS JOIN LATERAL (?) AS d", days).
		Join("JOIN energy_days AS r ON r.site_id = d.site_id AND ? = d.day", bucketOf("r")).
		Join("CROSS JOIN LATERAL unnest(r.energy) WITH ORDINALITY AS u(v, n)").
		ColumnExpr("r.site_id").
		ColumnExpr("? AS ?", intervalStart, ts).
		ColumnExpr("? AS flow", flowOf("r")).
		ColumnExpr("u.v AS energy").
		ColumnExpr("k.has_generation, k.has_import, k.has_export, k.has_controlled_load").
		Where("u.v IS NOT NULL")
	all := meter
	// Registers are the general circuit's import and export.
	for _, reg := range []struct{ kind, table string }{{kindImport, "import_cumulative"}, {kindExport, "export_cumulative"}} {
		all = all.UnionAll(registerIntervals(db, reg.kind, reg.table).
			ColumnExpr("d.site_id").
			ColumnExpr("d.start AS ?", ts).
			ColumnExpr("?::text AS flow", reg.kind).
			ColumnExpr("? AS energy", registerEnergy).
			ColumnExpr("false, ?, ?, false", reg.kind == kindImport, reg.kind == kindExport))
	}
	grouped := db.NewSelect().
		TableExpr("(?) AS a", all).
		ColumnExpr("a.site_id").
		ColumnExpr("a.?", ts).
		GroupExpr("a.site_id, a.?", ts)
	for _, f := range flows {
		grouped = grouped.
			ColumnExpr("sum(a.energy) FILTER (WHERE a.flow = ?) AS ?", f.column, bun.Ident(f.column)).
			ColumnExpr("count(*) FILTER (WHERE a.flow = ?) > 0 AS ?", f.column, bun.Ident("row_"+f.column)).
			ColumnExpr("bool_or(a.?) AS ?", bun.Ident("has_"+f.column), bun.Ident("has_"+f.column))
	}
	q := db.NewSelect().
		TableExpr("(?) AS o", grouped).
		ColumnExpr("o.site_id").
		ColumnExpr("o.?", ts)
	for _, f := range flows {
		q = q.ColumnExpr("CASE WHEN o.? THEN o.? WHEN bool_or(o.?) OVER (PARTITION BY o.site_id) THEN 0::float8 END AS ?",
			bun.Ident("row_"+f.column), bun.Ident(f.column), bun.Ident("has_"+f.column), bun.Ident(f.column))
	}
	// A NULL general import is either a site without general import
	// channels (import is then the controlled load alone) or a register
	// reset, which stays NULL: totalImport cannot tell them apart here.
	q = q.ColumnExpr("bool_or(o.has_import) OVER (PARTITION BY o.site_id) AS records_import")
	imp := bun.SafeQuery("CASE WHEN w.records_import THEN w.import + coalesce(w.controlled_load, 0) ELSE w.controlled_load END")
	return db.NewSelect().
		TableExpr("(?) AS w", q).
		ColumnExpr("w.site_id, w.?, w.generation", ts).
		ColumnExpr("? AS ?", imp, bun.Ident("import")).
		ColumnExpr("w.export").
		ColumnExpr("?", consumption(bun.Ident("w.generation"), imp, bun.Ident("w.export"))).
		ColumnExpr("w.controlled_load")
}

func dailySummary(db *bun.DB) *bun.SelectQuery {
	localDate := bun.SafeQuery("(s.? AT TIME ZONE site.timezone)::date", bun.Ident("timestamp"))
	q := db.NewSelect().
		TableExpr("summary AS s").
		Join("JOIN sites AS site ON site.id = s.site_id").
		ColumnExpr("s.site_id").
		ColumnExpr("? AS ?", localDate, bun.Ident("date"))
	for _, c := range []string{"generation", "import", "export", "consumption", "controlled_load"} {
		q = q.ColumnExpr("sum(s.?) AS ?", bun.Ident(c), bun.Ident(c))
	}
	return q.GroupExpr("s.site_id, ?", localDate)
}
