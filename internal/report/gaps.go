package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
)

// Gap is a stretch of time without data: from the end of one interval to
// the start of the next.
type Gap struct {
	From, To time.Time
}

// Duration is the gap's length.
func (g Gap) Duration() time.Duration { return g.To.Sub(g.From) }

// gapList is the [battery.Sink] that lists the gaps in the data with their
// dates (battery.Run only counts them). Memory is one Gap per gap.
type gapList struct {
	prevEnd int64
	n       int
	gaps    []Gap
}

// Interval implements [battery.Sink].
func (g *gapList) Interval(in battery.Interval, _ []battery.Result) error {
	start := in.Start.UnixNano()
	if g.n > 0 && start > g.prevEnd {
		g.gaps = append(g.gaps, Gap{From: time.Unix(0, g.prevEnd), To: in.Start})
	}
	g.n++
	g.prevEnd = start + int64(in.Duration)
	return nil
}

// ChannelGap is a stretch where the site's data goes on (summary has rows,
// from the other grid channel or from generation) but one grid channel has
// none: summary fills such intervals with 0, so the report prices them as
// no import (or no export) and says so.
type ChannelGap struct {
	// Channel is "import" or "export".
	Channel  string
	From, To time.Time
}

// Duration is the stretch's length.
func (g ChannelGap) Duration() time.Duration { return g.To.Sub(g.From) }

// channelRow is one row of the presence query: a channel's interval that
// starts the data, follows a hole or ends the data (meter intervals), or a
// register table's first and last reading.
type channelRow struct {
	Channel  string     `bun:"channel"`
	Register bool       `bun:"register"`
	Start    time.Time  `bun:"start"`
	End      time.Time  `bun:"end"`
	PrevEnd  *time.Time `bun:"prev_end"`
	Next     *time.Time `bun:"next"`
}

// channelPresence asks where grid import and export have readings within
// s. It reads the tables the import and export views are built from, not
// summary (which has already filled a missing channel with zeros) nor the
// views (whose register logic would cost as much again as the data's one
// pass), and it needs nothing from the pass, so it runs alongside it on
// another connection.
//
// Metered energy is stored a day per row (energy_days), so coverage is found
// a day at a time: a row without a missing value covers its whole day, and
// only a row with holes is unnested. The runs of coverage come from those
// segments (gaps and islands over the running end), so a site-year is a few
// hundred segments rather than a hundred thousand intervals. One row comes
// back per run, with the end of the run before it: registers cover
// everything from their first reading to their last. The answer is small
// whatever the length of the data.
func channelPresence(ctx context.Context, db *bun.DB, siteID int64, s span) ([]channelRow, error) {
	// The span bounds interval starts; segments are clipped to it.
	from, to := any(nil), any(nil)
	if !s.From.IsZero() {
		from = s.From
	}
	if !s.To.IsZero() {
		to = s.To
	}
	var rows []channelRow
	err := db.NewRaw(`
WITH segs AS (
	SELECT d.kind, d.start AS s, d.start + cardinality(d.energy) * d.step AS e
	FROM energy_days AS d
	WHERE d.site_id = ?0 AND d.kind IN ('import', 'export') AND array_position(d.energy, NULL) IS NULL
	UNION ALL
	SELECT d.kind, d.start + (u.i - 1) * d.step, d.start + u.i * d.step
	FROM energy_days AS d, unnest(d.energy) WITH ORDINALITY AS u(v, i)
	WHERE d.site_id = ?0 AND d.kind IN ('import', 'export') AND array_position(d.energy, NULL) IS NOT NULL
	  AND u.v IS NOT NULL
), clipped AS (
	SELECT kind, greatest(s, coalesce(?1::timestamptz, s)) AS s, least(e, coalesce(?2::timestamptz, e)) AS e
	FROM segs
), ordered AS (
	SELECT kind, s, e,
	       max(e) OVER (PARTITION BY kind ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
	FROM clipped WHERE e > s
), runs AS (
	SELECT kind, s, e, prev_end,
	       count(*) FILTER (WHERE prev_end IS NULL OR s > prev_end) OVER (PARTITION BY kind ORDER BY s, e) AS run
	FROM ordered
), spans AS (
	SELECT kind, run, min(s) AS start, max(e) AS "end", (array_agg(prev_end ORDER BY s, e))[1] AS prev_end
	FROM runs GROUP BY kind, run
)
SELECT kind AS channel, false AS register, start, "end", prev_end,
       lead(start) OVER (PARTITION BY kind ORDER BY start) AS next
FROM spans
UNION ALL
SELECT 'import', true, min(r."timestamp"), max(r."timestamp"), NULL, NULL
FROM import_cumulative AS r
WHERE r.site_id = ?0 AND (?1::timestamptz IS NULL OR r."timestamp" >= ?1) AND (?2::timestamptz IS NULL OR r."timestamp" < ?2)
HAVING count(*) > 1
UNION ALL
SELECT 'export', true, min(r."timestamp"), max(r."timestamp"), NULL, NULL
FROM export_cumulative AS r
WHERE r.site_id = ?0 AND (?1::timestamptz IS NULL OR r."timestamp" >= ?1) AND (?2::timestamptz IS NULL OR r."timestamp" < ?2)
HAVING count(*) > 1`, siteID, from, to).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("reading which channels have data: %w", err)
	}
	return rows, nil
}

// channelGaps turns the presence rows into the stretches inside the data
// (from data.First to data.End) where a grid channel has no rows although
// the data goes on: a channel's holes, less the gaps in all data (listed as
// gaps already). A channel with no rows at all is left out: summary gives
// it as missing (NULL), which the report already counts.
func channelGaps(rows []channelRow, data *battery.Report, gaps []Gap) []ChannelGap {
	if data.Intervals == 0 {
		return nil
	}
	var out []ChannelGap
	for _, channel := range []string{"import", "export"} {
		// Each source's holes; the channel misses data where every
		// source it has misses it.
		var holes [][]ChannelGap
		var meter []ChannelGap
		hasMeter := false
		for _, r := range rows {
			if r.Channel != channel {
				continue
			}
			if r.Register {
				holes = append(holes, []ChannelGap{
					{Channel: channel, From: data.First, To: r.Start},
					{Channel: channel, From: r.End, To: data.End},
				})
				continue
			}
			hasMeter = true
			if r.PrevEnd == nil {
				meter = append(meter, ChannelGap{Channel: channel, From: data.First, To: r.Start})
			} else if r.Start.After(*r.PrevEnd) {
				meter = append(meter, ChannelGap{Channel: channel, From: *r.PrevEnd, To: r.Start})
			}
			if r.Next == nil {
				meter = append(meter, ChannelGap{Channel: channel, From: r.End, To: data.End})
			}
		}
		if hasMeter {
			holes = append(holes, meter)
		}
		for k, hs := range holes {
			kept := hs[:0]
			for _, h := range hs {
				if h.To.After(h.From) {
					kept = append(kept, h)
				}
			}
			sort.Slice(kept, func(i, j int) bool { return kept[i].From.Before(kept[j].From) })
			holes[k] = kept
		}
		if len(holes) == 0 {
			continue
		}
		missing := holes[0]
		for _, h := range holes[1:] {
			missing = intersect(missing, h)
		}
		for _, h := range missing {
			for _, part := range subtract(h, gaps) {
				if part.From.Before(data.First) {
					part.From = data.First
				}
				if part.To.After(data.End) {
					part.To = data.End
				}
				if part.To.After(part.From) {
					out = append(out, part)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out
}

// intersect returns the stretches in both a and b (each in time order, not
// overlapping).
func intersect(a, b []ChannelGap) []ChannelGap {
	var out []ChannelGap
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from, to := a[i].From, a[i].To
		if b[j].From.After(from) {
			from = b[j].From
		}
		if b[j].To.Before(to) {
			to = b[j].To
		}
		if to.After(from) {
			out = append(out, ChannelGap{Channel: a[i].Channel, From: from, To: to})
		}
		if a[i].To.Before(b[j].To) {
			i++
		} else {
			j++
		}
	}
	return out
}

// subtract returns what is left of h outside every gap (gaps in time
// order, not overlapping).
func subtract(h ChannelGap, gaps []Gap) []ChannelGap {
	var out []ChannelGap
	from := h.From
	i := sort.Search(len(gaps), func(i int) bool { return gaps[i].To.After(from) })
	for ; i < len(gaps) && gaps[i].From.Before(h.To); i++ {
		g := gaps[i]
		if g.From.After(from) {
			out = append(out, ChannelGap{Channel: h.Channel, From: from, To: g.From})
		}
		if g.To.After(from) {
			from = g.To
		}
	}
	if h.To.After(from) {
		out = append(out, ChannelGap{Channel: h.Channel, From: from, To: h.To})
	}
	return out
}
