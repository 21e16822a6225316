package tariff

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

// Summing a slot's intervals and adding them once must price like adding
// them one by one: time of use, time-varying feed-in, demand charges over
// the day and the billing period, daylight saving and missing values, over
// two months of 5-minute data across two billing periods.
func TestAddSlotPricesLikeAdd(t *testing.T) {
	t.Parallel()
	loc := sydney(t)
	comps := append(touTariff(t),
		supply(t, "1.05"),
		demand(t, "Peak demand", "0.30", models.DemandOverBillingPeriod, win(t, weekdays, "15:00", "21:00")),
		demand(t, "Daily demand", "0.10", models.DemandOverDay, models.TariffWindow{}))
	tr := &Tariff{Name: "tou", Components: comps}
	p, err := NewPricer(loc, []Period{
		{ID: 1, Start: date("2024-03-15"), End: date("2024-04-15"), Tariff: tr},
		{ID: 2, Start: date("2024-04-15"), End: date("2024-05-15"), Tariff: tr},
	})
	if err != nil {
		t.Fatal(err)
	}
	one, slots := p.NewAccumulator(), p.NewAccumulator()
	rng := rand.New(rand.NewPCG(1, 2))
	var at Instant
	var n int
	var imp, exp float64
	flush := func() {
		if n > 0 {
			slots.AddSlot(at, n, imp, exp)
		}
		n, imp, exp = 0, 0, 0
	}
	// From before the first period to after the last, over the end of
	// daylight saving on 7 April.
	start := time.Date(2024, 3, 14, 22, 0, 0, 0, loc)
	for ts := start; ts.Before(time.Date(2024, 5, 16, 0, 0, 0, 0, loc)); ts = ts.Add(5 * time.Minute) {
		i, e := rng.Float64()*400, rng.Float64()*300
		if rng.IntN(50) == 0 {
			i = math.NaN()
		}
		in := p.Locate(ts)
		one.Add(in, i, e)
		if n > 0 && !in.SameSlot(at) {
			flush()
		}
		if n == 0 {
			at = in
		}
		n++
		if i == i {
			imp += i
		}
		exp += e
	}
	flush()
	want, err1 := one.Result()
	got, err2 := slots.Result()
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
		t.Errorf("errors: one by one %v, by slot %v; want the same uncovered-data error", err1, err2)
	}
	if len(want.Periods) != 2 || len(got.Periods) != 2 {
		t.Fatalf("periods: %d one by one, %d by slot, want 2", len(want.Periods), len(got.Periods))
	}
	for k := range want.Periods {
		w, g := want.Periods[k], got.Periods[k]
		if g.DaysWithData != w.DaysWithData || len(g.Days) != len(w.Days) {
			t.Fatalf("period %d: %d days by slot, %d one by one", k, g.DaysWithData, w.DaysWithData)
		}
		// Float sums in another order: a nano-unit per day at most.
		if d := g.Costs.Total() - w.Costs.Total(); d > models.Money(len(w.Days)) || -d > models.Money(len(w.Days)) {
			t.Errorf("period %d: cost %s by slot, %s one by one", k, g.Costs.Total(), w.Costs.Total())
		}
		for j := range w.Days {
			if g.Days[j].Intervals != w.Days[j].Intervals {
				t.Errorf("period %d day %s: %d intervals by slot, %d one by one", k,
					w.Days[j].Date.Format(time.DateOnly), g.Days[j].Intervals, w.Days[j].Intervals)
			}
		}
		for c := range w.PeakKW {
			if math.Abs(g.PeakKW[c]-w.PeakKW[c]) > 1e-9 {
				t.Errorf("period %d component %d: peak %v kW by slot, %v one by one", k, c, g.PeakKW[c], w.PeakKW[c])
			}
		}
	}
	if got.Uncovered.Intervals != want.Uncovered.Intervals {
		t.Errorf("uncovered: %d by slot, %d one by one", got.Uncovered.Intervals, want.Uncovered.Intervals)
	}
}
