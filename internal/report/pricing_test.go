package report

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

func mustMoney(t *testing.T, s string) models.Money {
	t.Helper()
	m, err := models.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// touWithDemand is a time-of-use tariff with a billing-period demand
// charge: everything that makes per-period pricing differ from per-day.
func touWithDemand(t *testing.T) *tariff.Tariff {
	t.Helper()
	clock := func(s string) *models.ClockTime {
		c, err := models.ParseClockTime(s)
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	sup := &tariff.DailySupplyCharge{}
	sup.Amount = mustMoney(t, "1.05")
	peak, off := &tariff.UsageRate{}, &tariff.UsageRate{}
	peak.Rate, peak.StartTime, peak.EndTime = mustMoney(t, "0.50"), clock("15:00"), clock("21:00")
	off.Rate, off.StartTime, off.EndTime = mustMoney(t, "0.20"), clock("21:00"), clock("15:00")
	fit := &tariff.FeedInRate{}
	fit.Rate = mustMoney(t, "0.06")
	dem := &tariff.DemandCharge{}
	dem.Rate, dem.MeasuredOver = mustMoney(t, "0.30"), models.DemandOverBillingPeriod
	dem.StartTime, dem.EndTime = clock("15:00"), clock("21:00")
	return &tariff.Tariff{Name: "tou", Components: []tariff.Component{sup, peak, off, fit, dem}}
}

func dateOf(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// The report prices each billing period with its own pricer and sums
// half-hour slots before adding them; one pricer for every period, fed
// interval by interval, is the plain way. Both must give the same bills,
// for the baseline and for each battery, across daylight saving, with data
// outside the billing periods and missing values.
func TestPricingMatchesOnePricer(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Adelaide")
	if err != nil {
		t.Skip(err)
	}
	tr := touWithDemand(t)
	periods := []tariff.Period{
		{ID: 1, Start: dateOf("2024-03-01"), End: dateOf("2024-04-01"), Tariff: tr},
		{ID: 2, Start: dateOf("2024-04-01"), End: dateOf("2024-05-01"), Tariff: tr},
		// A gap in the billing periods: May is not billed.
		{ID: 3, Start: dateOf("2024-06-01"), End: dateOf("2024-06-15"), Tariff: tr},
	}
	one, err := tariff.NewPricer(loc, periods)
	if err != nil {
		t.Fatal(err)
	}
	cfgs := []battery.Config{
		{Model: battery.ModelSeed, CapacityWh: 10000, Efficiency: 0.9},
		{CapacityWh: 5000, Efficiency: 0.9, ChargePowerW: 3000, DischargePowerW: 3000},
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var ivs []battery.Interval
	for ts := time.Date(2024, 2, 27, 0, 0, 0, 0, loc); ts.Before(time.Date(2024, 6, 20, 0, 0, 0, 0, loc)); ts = ts.Add(5 * time.Minute) {
		h := ts.In(loc).Hour()
		iv := battery.Interval{Start: ts}
		if h >= 9 && h < 16 {
			iv.Export = rng.Float64() * 400
		} else {
			iv.Import = rng.Float64() * 200
		}
		if rng.IntN(100) == 0 {
			iv.Import = math.NaN()
		}
		ivs = append(ivs, iv)
	}

	p, err := newPricing(loc, periods, len(cfgs))
	if err != nil {
		t.Fatal(err)
	}
	base := one.NewAccumulator()
	accs := []*tariff.Accumulator{one.NewAccumulator(), one.NewAccumulator()}
	plain := battery.SinkFunc(func(in battery.Interval, out []battery.Result) error {
		base.AddAt(in.Start, in.Import, in.Export)
		for i := range out {
			accs[i].AddAt(in.Start, out[i].Import, out[i].Export)
		}
		return nil
	})
	if _, err := battery.Run(context.Background(), battery.NewSliceSource(ivs), cfgs, battery.Sinks(p, plain), battery.RunOptions{}); err != nil {
		t.Fatal(err)
	}

	check := func(name string, a *tariff.Accumulator, got func(ps *periodState) periodTotals) {
		res, err := a.Result()
		var uc *tariff.UncoveredError
		if !errors.As(err, &uc) {
			t.Fatalf("%s: one pricer: %v, want data outside the periods reported", name, err)
		}
		if uc.Intervals != p.unpriced.Intervals {
			t.Errorf("%s: %d intervals unpriced, one pricer says %d", name, p.unpriced.Intervals, uc.Intervals)
		}
		if len(res.Periods) != len(p.periods) {
			t.Fatalf("%s: one pricer priced %d periods, want %d", name, len(res.Periods), len(p.periods))
		}
		for k, want := range res.Periods {
			ps := p.periods[k]
			g := got(ps)
			if !ps.done || g.Days != want.DaysWithData {
				t.Errorf("%s period %d: done %v, %d days; one pricer %d days", name, k, ps.done, g.Days, want.DaysWithData)
			}
			// Sums in another order: within a nano-unit a day.
			if d := g.Costs.Total() - want.Costs.Total(); d > models.Money(g.Days) || -d > models.Money(g.Days) {
				t.Errorf("%s period %d: cost %s, one pricer %s", name, k, g.Costs.Total(), want.Costs.Total())
			}
			if name == "baseline" && g.Costs.Demand == 0 {
				t.Errorf("%s period %d: no demand charge; the test would not cover demand", name, k)
			}
			if math.Abs(g.ImportWh-want.ImportWh) > 1e-6 || math.Abs(g.ExportWh-want.ExportWh) > 1e-6 {
				t.Errorf("%s period %d: %v/%v Wh, one pricer %v/%v", name, k, g.ImportWh, g.ExportWh, want.ImportWh, want.ExportWh)
			}
		}
	}
	check("baseline", base, func(ps *periodState) periodTotals { return ps.baseline })
	for i := range cfgs {
		check(cfgs[i].Label(), accs[i], func(ps *periodState) periodTotals { return ps.batteries[i] })
	}
	if p.unpriced.Intervals == 0 || p.priced == 0 {
		t.Errorf("%d priced, %d unpriced: the data should straddle the periods", p.priced, p.unpriced.Intervals)
	}
}

// Data entirely after the last billing period is read to its end, priced
// nowhere, so the report can give the data's real range in its error.
func TestPricingReadsUncoveredDataToItsEnd(t *testing.T) {
	t.Parallel()
	tr := touWithDemand(t)
	p, err := newPricing(time.UTC, []tariff.Period{{ID: 1, Start: dateOf("2020-01-01"), End: dateOf("2020-02-01"), Tariff: tr}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ivs []battery.Interval
	for i := range 5000 {
		ivs = append(ivs, battery.Interval{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour), Import: 1})
	}
	data, err := battery.Run(context.Background(), battery.NewSliceSource(ivs), []battery.Config{{CapacityWh: 1000, Efficiency: 0.9}},
		p, battery.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.priced != 0 || p.unpriced.Intervals != 5000 || !p.unpriced.Last.Equal(ivs[4999].Start) || data.Intervals != 5000 {
		t.Errorf("priced %d, unpriced %d up to %v, read %d; want 0, 5000 up to %v, 5000",
			p.priced, p.unpriced.Intervals, p.unpriced.Last, data.Intervals, ivs[4999].Start)
	}
}

// countingSource yields n intervals and counts how many were asked for.
type countingSource struct{ n, read int }

func (s *countingSource) Next(iv *battery.Interval) bool {
	if s.read == s.n {
		return false
	}
	*iv = battery.Interval{Start: time.Unix(int64(s.read)*300, 0), Import: float64(s.read)}
	s.read++
	return true
}
func (s *countingSource) Err() error { return nil }

func TestPrefetch(t *testing.T) {
	t.Parallel()
	// Everything comes through, in order, including a short last batch.
	src := &countingSource{n: 3*prefetchBatch + 17}
	pf := newPrefetch(src)
	var iv battery.Interval
	for i := 0; i < src.n; i++ {
		if !pf.Next(&iv) || iv.Import != float64(i) {
			t.Fatalf("interval %d: got %v", i, iv)
		}
		// battery.Run asks for the error after the first day, mid-stream.
		if i == 300 && pf.Err() != nil {
			t.Fatalf("error mid-stream: %v", pf.Err())
		}
	}
	if pf.Next(&iv) || pf.Next(&iv) || pf.Err() != nil {
		t.Fatal("prefetch did not end cleanly, or not for good")
	}
	pf.close()

	// A consumer that stops early stops the reading too.
	big := &countingSource{n: 1 << 30}
	pf = newPrefetch(big)
	for range 10 {
		pf.Next(&iv)
	}
	pf.close()
	if limit := (prefetchBatches + 3) * prefetchBatch; big.read > limit {
		t.Errorf("read %d intervals after the consumer stopped at 10, want at most %d", big.read, limit)
	}
}
