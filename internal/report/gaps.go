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

// channelPresence asks where grid import and export have rows within s. It
// reads the tables the import and export views are built from, not summary
// (which has already filled a missing channel with zeros) nor the views
// (whose register logic would cost as much again as the data's one pass),
// and it needs nothing from the pass, so it runs alongside it on another
// connection. Meter intervals carry their length, so a hole is an interval
// that starts after the previous one ended, found in one ordered scan of
// the (site, direction, timestamp) index per direction; registers cover
// everything from their first reading to their last. Only boundary rows
// come back, so the answer is small whatever the length of the data.
func channelPresence(ctx context.Context, db *bun.DB, siteID int64, s span) ([]channelRow, error) {
	ts := bun.Ident("timestamp")
	within := func(q *bun.SelectQuery, alias string) *bun.SelectQuery {
		q = q.Where("?.site_id = ?", bun.Ident(alias), siteID)
		if !s.From.IsZero() {
			q = q.Where("?.? >= ?", bun.Ident(alias), ts, s.From)
		}
		if !s.To.IsZero() {
			q = q.Where("?.? < ?", bun.Ident(alias), ts, s.To)
		}
		return q
	}
	var q *bun.SelectQuery
	for _, dir := range []string{"import", "export"} {
		ordered := bun.SafeQuery("ORDER BY m.?", ts)
		inner := within(db.NewSelect().TableExpr("meter_intervals AS m"), "m").
			Where("m.direction = ?", dir).
			ColumnExpr("? AS channel, false AS register", dir).
			ColumnExpr("m.? AS start, m.? + m.duration AS ?", ts, ts, bun.Ident("end")).
			ColumnExpr("lag(m.? + m.duration) OVER (?) AS prev_end", ts, ordered).
			ColumnExpr("lead(m.?) OVER (?) AS next", ts, ordered)
		meter := db.NewSelect().TableExpr("(?) AS b", inner).ColumnExpr("b.*").
			Where("b.prev_end IS NULL OR b.next IS NULL OR b.start > b.prev_end")
		reg := within(db.NewSelect().TableExpr("? AS r", bun.Ident(dir+"_cumulative")), "r").
			ColumnExpr("? AS channel, true AS register", dir).
			ColumnExpr("min(r.?) AS start, max(r.?) AS ?, NULL::timestamptz AS prev_end, NULL::timestamptz AS next", ts, ts, bun.Ident("end")).
			Having("count(*) > 1")
		if q == nil {
			q = meter.UnionAll(reg)
		} else {
			q = q.UnionAll(meter).UnionAll(reg)
		}
	}
	var rows []channelRow
	if err := db.NewSelect().TableExpr("(?) AS p", q).ColumnExpr("p.*").Scan(ctx, &rows); err != nil {
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
