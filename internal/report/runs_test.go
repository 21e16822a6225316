package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

// at is the n-th five-minute interval of 2024, with n as its import so
// that a row's identity survives the merge.
func at(n int) battery.Interval {
	return battery.Interval{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * 5 * time.Minute), Import: float64(n)}
}

// runsOf is a source yielding the runs one after another.
func runsOf(runs ...[]int) *battery.SliceSource {
	var ivs []battery.Interval
	for _, r := range runs {
		for _, n := range r {
			ivs = append(ivs, at(n))
		}
	}
	return battery.NewSliceSource(ivs)
}

// ints is from, from+1, …, to-1.
func ints(from, to int) []int {
	var out []int
	for n := from; n < to; n++ {
		out = append(out, n)
	}
	return out
}

func drain(src battery.Source) ([]int, error) {
	var out []int
	var iv battery.Interval
	for src.Next(&iv) {
		out = append(out, int(iv.Import))
	}
	return out, src.Err()
}

func TestMergeRuns(t *testing.T) {
	t.Parallel()
	const hold = 10
	for _, tc := range []struct {
		name string
		runs [][]int
		fail bool // errOutOfOrder, after passing on a prefix in order
	}{
		{name: "nothing"},
		{name: "one run shorter than the buffer", runs: [][]int{ints(0, 7)}},
		{name: "one long run", runs: [][]int{ints(0, 100)}},
		// summary's usual shapes: days with gaps, then the complete days.
		{name: "a gap day in the middle", runs: [][]int{ints(40, 44), append(ints(0, 40), ints(44, 100)...)}},
		{name: "a gap day at the end", runs: [][]int{ints(95, 100), ints(0, 95)}},
		{name: "a gap day at the start", runs: [][]int{ints(0, 3), ints(3, 100)}},
		{name: "three runs within the buffer", runs: [][]int{{5, 8}, {1, 9}, {0, 2, 3}}},
		{name: "two short runs, then a long one", runs: [][]int{{50, 70}, {20, 21, 60}, append(append(ints(0, 20), ints(22, 50)...), append(ints(51, 60), ints(61, 70)...)...)}},
		// Runs the buffer cannot mend.
		{name: "a long run, then an earlier one", runs: [][]int{ints(10, 100), ints(0, 10)}, fail: true},
		{name: "a duplicate", runs: [][]int{ints(0, 50), {49}, ints(50, 60)}, fail: true},
		{name: "short runs longer than the buffer", runs: [][]int{ints(50, 58), ints(60, 68), ints(0, 50)}, fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []int
			for _, r := range tc.runs {
				want = append(want, r...)
			}
			slices.Sort(want)
			got, err := drain(newMergeRuns(runsOf(tc.runs...), hold))
			if tc.fail {
				if !errors.Is(err, errOutOfOrder) {
					t.Fatalf("got %v, %v; want errOutOfOrder", got, err)
				}
				if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
					t.Errorf("passed on %v before failing: not strictly in order", got)
				}
				return
			}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("got %v, %v; want %v", got, err, want)
			}
		})
	}
}

// failingSource fails after n rows, the way a broken connection would.
type failingSource struct{ n, i int }

var errBroken = errors.New("connection broken")

func (s *failingSource) Next(iv *battery.Interval) bool {
	if s.i == s.n {
		return false
	}
	*iv = at(s.i)
	s.i++
	return true
}
func (s *failingSource) Err() error {
	if s.i == s.n {
		return errBroken
	}
	return nil
}

// The source's own error is the error, not an order the merge made of it.
func TestMergeRunsKeepsTheSourceError(t *testing.T) {
	t.Parallel()
	for _, n := range []int{3, 30} {
		got, err := drain(newMergeRuns(&failingSource{n: n}, 10))
		if !errors.Is(err, errBroken) || len(got) != n {
			t.Errorf("n=%d: %d rows, %v; want %d rows, errBroken", n, len(got), err, n)
		}
	}
}

// streamSummary's rows are summary's, sorted by time: for every shape of
// data its plan takes apart (complete days, days with gaps in the middle
// and at the end, a controlled load, register readings), read through
// the merge without falling back to ORDER BY.
func TestSummaryRowsMergeInOrder(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	// 130 days of 5-minute rows: more than mergeRuns holds, so the merge
	// streams past its buffer.
	year := func() []reporttest.Row {
		var rows []reporttest.Row
		for i := range 130 * 288 {
			r := reporttest.Row{Start: start.Add(time.Duration(i) * 5 * time.Minute), Import: float64(i%97) + 1, Generation: float64(i % 13)}
			if i%288 > 120 && i%288 < 200 {
				r.Export = float64(i%7) + 0.5
			}
			rows = append(rows, r)
		}
		return rows
	}
	hole := func(rows []reporttest.Row, day, from, to int) {
		for i := day*288 + from; i < day*288+to; i++ {
			rows[i].Import, rows[i].Export, rows[i].Generation = math.NaN(), math.NaN(), math.NaN()
		}
	}
	sites := map[string]int64{}
	add := func(name string, rows []reporttest.Row) int64 {
		id := reporttest.AddSite(t, db, name, "Australia/Brisbane")
		reporttest.Load(t, db, id, 5*time.Minute, rows)
		sites[name] = id
		return id
	}
	add("complete", year())
	gaps := year()
	hole(gaps, 3, 10, 40)
	hole(gaps, 64, 200, 210)
	hole(gaps, 129, 250, 288) // the last day ends early
	add("gaps", gaps)
	cl := year()
	for i := range cl {
		if i%288 < 60 {
			cl[i].ControlledLoad = 2.5
		}
	}
	hole(cl, 100, 0, 5)
	add("controlled load", cl)
	regs := add("registers", year()[:3*288])
	for i := range 40 {
		_, err := db.NewRaw("INSERT INTO import_cumulative (site_id, timestamp, energy) VALUES (?, ?, ?)",
			regs, start.Add(time.Duration(i)*time.Hour), float64(i*i)).Exec(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}

	for name, id := range sites {
		want := orderedSummary(t, db, id)
		var got []battery.Interval
		err := readSummary(ctx, db, id, span{}, false, true, func(src battery.Source) error {
			var iv battery.Interval
			for src.Next(&iv) {
				got = append(got, iv)
			}
			return src.Err()
		})
		if err != nil {
			t.Fatalf("%s: %v (summary's rows no longer come in runs mergeRuns can mend: see views/summary.go)", name, err)
		}
		if d := diffIntervals(got, want); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
}

// orderedSummary is the site's summary rows as PostgreSQL sorts them.
func orderedSummary(t *testing.T, db *bun.DB, siteID int64) []battery.Interval {
	t.Helper()
	var out []battery.Interval
	err := readSummary(context.Background(), db, siteID, span{}, true, true, func(src battery.Source) error {
		var iv battery.Interval
		for src.Next(&iv) {
			out = append(out, iv)
		}
		return src.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 2 {
		t.Fatalf("site %d: %d summary rows", siteID, len(out))
	}
	return out
}

// diffIntervals describes the first difference of two interval lists,
// NaN equal to NaN; "" when they agree.
func diffIntervals(got, want []battery.Interval) string {
	eq := func(a, b float64) bool { return a == b || a != a && b != b }
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if !g.Start.Equal(w.Start) || !eq(g.Import, w.Import) || !eq(g.Export, w.Export) || !eq(g.ControlledLoad, w.ControlledLoad) {
			return fmt.Sprintf("row %d: got %+v, want %+v", i, g, w)
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	return ""
}

// When a pass ends with errOutOfOrder, streamSummary starts it again over
// rows PostgreSQL sorted, on a working connection.
func TestStreamSummaryFallsBackToOrderBy(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	id := reporttest.AddSite(t, db, "site", "Australia/Adelaide")
	reporttest.Load(t, db, id, 30*time.Minute, reporttest.HouseholdRows(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 60))
	want := orderedSummary(t, db, id)

	for _, inline := range []bool{true, false} {
		calls := 0
		var got []battery.Interval
		err := streamSummary(ctx, db, id, span{}, inline, func(src battery.Source) error {
			calls++
			got = got[:0]
			var iv battery.Interval
			for src.Next(&iv) {
				got = append(got, iv)
				if calls == 1 && len(got) == 100 {
					return fmt.Errorf("pretending: %w", errOutOfOrder)
				}
			}
			return src.Err()
		})
		if err != nil || calls != 2 {
			t.Fatalf("inline %v: %v after %d calls; want nil after 2", inline, err, calls)
		}
		if d := diffIntervals(got, want); d != "" {
			t.Errorf("inline %v, second pass: %s", inline, d)
		}
		// The abandoned connection was dropped, not handed out again.
		if err := db.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.NewSelect().TableExpr("summary").ColumnExpr("count(*)").Where("site_id = ?", id).Scan(ctx, &n); err != nil || n != len(want) {
			t.Fatalf("inline %v: counting afterwards: %d, %v", inline, n, err)
		}
	}
}

// reset forgets what a pricing was fed: fed again, it prices exactly as
// a fresh one, for billing periods and for calendar months alike.
func TestPricingReset(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Adelaide")
	if err != nil {
		t.Fatal(err)
	}
	tr := touWithDemand(t)
	periods := []tariff.Period{
		{ID: 1, Start: dateOf("2024-03-01"), End: dateOf("2024-04-01"), Tariff: tr},
		{ID: 2, Start: dateOf("2024-04-01"), End: dateOf("2024-05-01"), Tariff: tr},
	}
	var ivs []battery.Interval
	for ts := time.Date(2024, 2, 20, 0, 0, 0, 0, loc); ts.Before(time.Date(2024, 5, 10, 0, 0, 0, 0, loc)); ts = ts.Add(30 * time.Minute) {
		ivs = append(ivs, battery.Interval{Start: ts, Import: float64(ts.Hour()%5) * 100, Export: float64(ts.Hour()%3) * 50})
	}
	cfgs := []battery.Config{{CapacityWh: 5000, Efficiency: 0.9}}
	run := func(p *pricing, ivs []battery.Interval) {
		t.Helper()
		if _, err := battery.Run(context.Background(), battery.NewSliceSource(ivs), cfgs, p, battery.RunOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, monthly := range []bool{false, true} {
		build := func() *pricing {
			var p *pricing
			var err error
			if monthly {
				p, err = newMonthlyPricing(loc, tr, nil, len(cfgs))
			} else {
				p, err = newPricing(loc, periods, len(cfgs))
			}
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		fresh, used := build(), build()
		run(fresh, ivs)
		run(used, ivs[:len(ivs)/2])
		if err := used.reset(); err != nil {
			t.Fatal(err)
		}
		run(used, ivs)
		if used.priced != fresh.priced || used.unpriced != fresh.unpriced || len(used.periods) != len(fresh.periods) {
			t.Fatalf("monthly %v: priced %d, unpriced %+v, %d periods; fresh %d, %+v, %d", monthly,
				used.priced, used.unpriced, len(used.periods), fresh.priced, fresh.unpriced, len(fresh.periods))
		}
		for i := range used.periods {
			u, f := used.periods[i], fresh.periods[i]
			if u.done != f.done || u.baseline != f.baseline || !slices.Equal(u.batteries, f.batteries) {
				t.Errorf("monthly %v period %d: %+v %+v, fresh %+v %+v", monthly, i, u.baseline, u.batteries, f.baseline, f.batteries)
			}
		}
	}
}

// BenchmarkMergeRuns: a 5-minute site-year as summary gives it, a gap day
// first and then the complete days, through mergeRuns and straight.
//
//	go test ./internal/report -run '^$' -bench MergeRuns
func BenchmarkMergeRuns(b *testing.B) {
	year := ints(0, 105408)
	gap := ints(200*288, 201*288)
	rest := append(ints(0, 200*288), ints(201*288, 105408)...)
	for _, bc := range []struct {
		name  string
		runs  [][]int
		merge bool
	}{
		{"straight", [][]int{year}, false},
		{"one-run", [][]int{year}, true},
		{"gap-day-first", [][]int{gap, rest}, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var ivs []battery.Interval
			runs := runsOf(bc.runs...)
			var iv battery.Interval
			for runs.Next(&iv) {
				ivs = append(ivs, iv)
			}
			for b.Loop() {
				var src battery.Source = battery.NewSliceSource(ivs)
				if bc.merge {
					src = newMergeRuns(src, mergeHold)
				}
				for src.Next(&iv) {
				}
				if err := src.Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A site whose days with gaps outnumber what mergeRuns holds, interleaved
// with its complete days, makes the report read the site twice: the
// second pass, sorted by PostgreSQL, must start afresh (pricing reset, new
// sinks), so the report equals one computed over the sorted rows alone.
func TestComputeFallsBackToOrderByOnManyGapDays(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []reporttest.Row
	for i := range 240 * 288 {
		day, slot := i/288, i%288
		if day%2 == 1 && slot >= 100 && slot < 110 {
			continue // every other day has a gap: 120 days, 33,360 rows
		}
		r := reporttest.Row{Start: start.Add(time.Duration(i) * 5 * time.Minute), Import: float64(i%89) + 3}
		if slot > 100 && slot < 180 {
			r.Generation, r.Export = float64(i%17)+40, float64(i%11)+20
		}
		rows = append(rows, r)
	}
	id := reporttest.AddSite(t, db, "gappy", "Australia/Brisbane")
	reporttest.Load(t, db, id, 5*time.Minute, rows)
	tr := reporttest.AddFlatTariff(t, db, "flat", "1.10", "0.30", "0.05")
	reporttest.AddPeriods(t, db, id, tr, "2024-01-01", "2024-08-31", "month")

	// The fall back is needed: the merge alone cannot order these rows.
	err := readSummary(ctx, db, id, span{}, false, true, func(src battery.Source) error {
		var iv battery.Interval
		for src.Next(&iv) {
		}
		return src.Err()
	})
	if !errors.Is(err, errOutOfOrder) {
		t.Fatalf("reading without ORDER BY: %v, want errOutOfOrder (the test would not cover the second pass)", err)
	}

	// With a price, so that payback is a number (NaN would not compare).
	opts := Options{Site: "gappy", Batteries: []battery.Config{
		{Model: battery.ModelSeed, CapacityWh: 10000, Efficiency: 0.9},
		{CapacityWh: 5000, Efficiency: 0.9, ChargePowerW: 2000, DischargePowerW: 2000},
	}, Price: &Price{Fixed: 2000 * models.Unit, PerKWh: 600 * models.Unit}}
	got, err := Compute(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}

	// The same report over the rows PostgreSQL sorted, in one pass.
	site, loc, err := loadSite(ctx, db, "gappy")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := tariff.LoadPricer(ctx, db, tariff.Components, site)
	if err != nil {
		t.Fatal(err)
	}
	price, err := newPricing(loc, pr.Periods(), len(opts.Batteries))
	if err != nil {
		t.Fatal(err)
	}
	gaps := &gapList{}
	data, err := battery.Run(ctx, battery.NewSliceSource(orderedSummary(t, db, id)), opts.Batteries, battery.Sinks(price, gaps), battery.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := (&streamed{data: data, gaps: gaps.gaps}).assemble(site, opts, price)

	if !reflect.DeepEqual(got.Data, want.Data) || !reflect.DeepEqual(got.Gaps, want.Gaps) || !reflect.DeepEqual(got.Results, want.Results) {
		t.Errorf("report after the second pass differs from one pass over sorted rows:\ngot  %+v\n     %+v\nwant %+v\n     %+v", *got.Data, got.Results[0].Totals, *want.Data, want.Results[0].Totals)
	}
	if got.Data.Gaps == 0 || got.Results[0].Savings == 0 {
		t.Errorf("%d gaps, savings %v: the data should have gaps and the battery save money", got.Data.Gaps, got.Results[0].Savings)
	}
}
