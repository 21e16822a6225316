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

// channelGaps finds, for grid import and export, the stretches inside the
// data where that channel has no rows although the data goes on. It reads
// the import and export views (not summary, which has already filled those
// stretches with zeros), and returns only a channel's first and last rows
// and the rows after a hole longer than the data's interval, so the answer
// is small whatever the length of the data. A channel the site never
// records is left out: summary gives it as missing (NULL), which the
// report already counts.
func channelGaps(ctx context.Context, db *bun.DB, siteID int64, s span, data *battery.Report, gaps []Gap) ([]ChannelGap, error) {
	if data.Intervals == 0 || data.Nominal <= 0 {
		return nil, nil
	}
	ts := bun.Ident("timestamp")
	source := func(channel, view string) *bun.SelectQuery {
		q := db.NewSelect().
			ColumnExpr("? AS channel", channel).
			ColumnExpr("v.?", ts).
			TableExpr("? AS v", bun.Ident(view)).
			Where("v.site_id = ?", siteID).
			Where("v.? >= ?", ts, data.First).
			Where("v.? < ?", ts, data.End)
		if !s.From.IsZero() {
			q = q.Where("v.? >= ?", ts, s.From)
		}
		if !s.To.IsZero() {
			q = q.Where("v.? < ?", ts, s.To)
		}
		return q
	}
	rows := db.NewSelect().
		TableExpr("(?) AS t", source("import", "import").UnionAll(source("export", "export"))).
		ColumnExpr("t.channel, t.?", ts).
		ColumnExpr("lag(t.?) OVER (PARTITION BY t.channel ORDER BY t.?) AS prev", ts, ts).
		ColumnExpr("lead(t.?) OVER (PARTITION BY t.channel ORDER BY t.?) AS next", ts, ts)
	var found []struct {
		Channel   string     `bun:"channel"`
		Timestamp time.Time  `bun:"timestamp"`
		Prev      *time.Time `bun:"prev"`
		Next      *time.Time `bun:"next"`
	}
	err := db.NewSelect().
		TableExpr("(?) AS r", rows).
		ColumnExpr("r.*").
		Where("r.prev IS NULL OR r.next IS NULL OR r.? - r.prev > ? * interval '1 microsecond'", ts, data.Nominal.Microseconds()).
		OrderExpr("r.channel, r.?", ts).
		Scan(ctx, &found)
	if err != nil {
		return nil, fmt.Errorf("reading which channels have data: %w", err)
	}
	// A channel's holes: before its first row, between rows further apart
	// than one interval, and after its last row.
	var holes []ChannelGap
	for _, f := range found {
		if f.Prev == nil {
			holes = append(holes, ChannelGap{Channel: f.Channel, From: data.First, To: f.Timestamp})
		} else {
			holes = append(holes, ChannelGap{Channel: f.Channel, From: f.Prev.Add(data.Nominal), To: f.Timestamp})
		}
		if f.Next == nil {
			holes = append(holes, ChannelGap{Channel: f.Channel, From: f.Timestamp.Add(data.Nominal), To: data.End})
		}
	}
	// What is left of each hole once the gaps in all data are taken out
	// (those are listed as gaps) is where the channel alone is missing.
	var out []ChannelGap
	for _, h := range holes {
		for _, part := range subtract(h, gaps) {
			if part.To.After(part.From) {
				out = append(out, part)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out, nil
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
