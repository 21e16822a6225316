package tariff

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

const fiveMin = 5 * time.Minute

func TestFlatDay(t *testing.T) {
	t.Parallel()
	p := pricer(t, time.UTC, "2024-01-01", "2024-02-01",
		supply(t, "1.10"), usage(t, "", "0.30", models.TariffWindow{}), feedIn(t, "", "0.05", models.TariffWindow{}))
	a := p.NewAccumulator()
	start := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	feed(a, start, start.AddDate(0, 0, 1), fiveMin, 100, 50)
	r := mustResult(t, a)
	if len(r.Periods) != 1 || len(r.Periods[0].Days) != 1 {
		t.Fatalf("want one period with one day, got %+v", r.Periods)
	}
	day := r.Periods[0].Days[0]
	// 28.8 kWh at 0.30, 14.4 kWh credited at 0.05, one day of supply.
	want := Costs{Supply: money(t, "1.10"), Usage: money(t, "8.64"), FeedIn: money(t, "-0.72")}
	if day.Costs != want || day.Costs.Total().FormatCents() != "9.02" {
		t.Errorf("day costs = %+v, want %+v", day.Costs, want)
	}
	if day.ImportWh != 28800 || day.ExportWh != 14400 || day.Intervals != 288 {
		t.Errorf("day energy = %+v", day)
	}
	if r.Periods[0].DaysWithData != 1 || r.Periods[0].Costs != want {
		t.Errorf("period = %+v", r.Periods[0])
	}
}

// touTariff is a typical Australian time-of-use plan with a time-varying
// feed-in.
func touTariff(t testing.TB) []Component {
	return []Component{
		usage(t, "Peak", "0.50", win(t, weekdays, "14:00", "20:00")),
		usage(t, "Shoulder", "0.25", win(t, weekdays, "07:00", "14:00")),
		usage(t, "Shoulder", "0.25", win(t, weekdays, "20:00", "22:00")),
		usage(t, "Off-peak", "0.15", win(t, weekdays, "22:00", "07:00")),
		usage(t, "Weekend", "0.15", win(t, []int16{6, 7}, "", "")),
		feedIn(t, "Evening", "0.10", win(t, nil, "16:00", "21:00")),
		feedIn(t, "Rest", "0.02", win(t, nil, "21:00", "16:00")),
	}
}

func TestTimeOfUse(t *testing.T) {
	t.Parallel()
	p := pricer(t, time.UTC, "2024-01-01", "2024-02-01", touTariff(t)...)
	a := p.NewAccumulator()
	monday := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	saturday := time.Date(2024, 1, 6, 0, 0, 0, 0, time.UTC)
	feed(a, monday, monday.AddDate(0, 0, 1), fiveMin, 100, 50)
	feed(a, saturday, saturday.AddDate(0, 0, 1), fiveMin, 100, 50)
	r := mustResult(t, a)
	days := r.Periods[0].Days
	if len(days) != 2 {
		t.Fatalf("want 2 days, got %d", len(days))
	}
	// Export: 5 h at 0.10 (3 kWh) and 19 h at 0.02 (11.4 kWh), every day.
	feedInCredit := money(t, "-0.528")
	tests := []struct {
		day   DayCost
		usage string
	}{
		// Peak 6 h (7.2 kWh) at 0.50, shoulder 9 h (10.8 kWh) at 0.25,
		// off-peak 9 h (10.8 kWh) at 0.15.
		{days[0], "7.92"},
		// 28.8 kWh at the weekend rate.
		{days[1], "4.32"},
	}
	for _, tt := range tests {
		if tt.day.Costs.Usage != money(t, tt.usage) || tt.day.Costs.FeedIn != feedInCredit {
			t.Errorf("%s: costs %+v, want usage %s and feed-in %s", tt.day.Date.Format(time.DateOnly), tt.day.Costs, tt.usage, feedInCredit)
		}
	}
	if got := r.Total().Total().FormatCents(); got != "11.18" {
		t.Errorf("total = %s, want 11.18", got)
	}
}

// TestDaylightSaving prices the days Sydney's clocks change: 6 April 2025
// has 25 hours (02:00–03:00 twice), 5 October 2025 has 23 (no 02:00–03:00).
// A dearer rate in the 02:00–03:00 window shows the repeated and the missing
// hour.
func TestDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := sydney(t)
	p := pricer(t, loc, "2025-04-01", "2025-10-31",
		supply(t, "1.00"),
		usage(t, "2am", "1.00", win(t, nil, "02:00", "03:00")),
		usage(t, "Rest", "0.20", win(t, nil, "03:00", "02:00")),
	)
	a := p.NewAccumulator()
	// Real instants, five minutes apart, across both changes.
	feed(a, time.Date(2025, 4, 5, 0, 0, 0, 0, loc), time.Date(2025, 4, 8, 0, 0, 0, 0, loc), fiveMin, 100, 0)
	feed(a, time.Date(2025, 10, 4, 0, 0, 0, 0, loc), time.Date(2025, 10, 7, 0, 0, 0, 0, loc), fiveMin, 100, 0)
	r := mustResult(t, a)
	want := []struct {
		date      string
		intervals int
		importWh  float64
		cost      string
	}{
		{"2025-04-05", 288, 28800, "7.72"}, // 1.2 kWh at 1.00 + 27.6 kWh at 0.20 + supply
		{"2025-04-06", 300, 30000, "8.92"}, // 2.4 kWh at 1.00: 02:00–03:00 happened twice
		{"2025-04-07", 288, 28800, "7.72"},
		{"2025-10-04", 288, 28800, "7.72"},
		{"2025-10-05", 276, 27600, "6.52"}, // no 02:00–03:00 at all
		{"2025-10-06", 288, 28800, "7.72"},
	}
	days := r.Periods[0].Days
	if len(days) != len(want) {
		t.Fatalf("got %d days, want %d", len(days), len(want))
	}
	for i, w := range want {
		d := days[i]
		if got := d.Date.Format(time.DateOnly); got != w.date || d.Date.Location() != loc || d.Date.Hour() != 0 {
			t.Errorf("day %d is %v, want local midnight of %s", i, d.Date, w.date)
		}
		if d.Intervals != w.intervals || d.ImportWh != w.importWh || d.Costs.Total().FormatCents() != w.cost {
			t.Errorf("%s: %d intervals, %.0f Wh, cost %s; want %d, %.0f, %s",
				w.date, d.Intervals, d.ImportWh, d.Costs.Total().FormatCents(), w.intervals, w.importWh, w.cost)
		}
	}
}

// TestLocalDayPicksBillingPeriod checks that an interval belongs to the
// billing period of its local date, not its UTC date.
func TestLocalDayPicksBillingPeriod(t *testing.T) {
	t.Parallel()
	loc := sydney(t)
	jan := &Tariff{Name: "Jan", Components: []Component{usage(t, "", "0.10", models.TariffWindow{})}}
	feb := &Tariff{Name: "Feb", Components: []Component{usage(t, "", "1.00", models.TariffWindow{})}}
	p, err := NewPricer(loc, []Period{
		{ID: 2, Start: date("2025-02-01"), End: date("2025-03-01"), Tariff: feb},
		{ID: 1, Start: date("2025-01-01"), End: date("2025-02-01"), Tariff: jan},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := p.NewAccumulator()
	a.AddAt(time.Date(2025, 1, 31, 12, 55, 0, 0, time.UTC), 1000, 0) // 23:55 on 31 January in Sydney
	a.AddAt(time.Date(2025, 1, 31, 13, 0, 0, 0, time.UTC), 1000, 0)  // 00:00 on 1 February in Sydney
	r := mustResult(t, a)
	if len(r.Periods) != 2 {
		t.Fatalf("want both periods, got %d", len(r.Periods))
	}
	for i, want := range []struct {
		tariff, date, cost string
	}{{"Jan", "2025-01-31", "0.10"}, {"Feb", "2025-02-01", "1.00"}} {
		pc := r.Periods[i]
		if pc.Period.Tariff.Name != want.tariff || pc.Days[0].Date.Format(time.DateOnly) != want.date || pc.Costs.Total().FormatCents() != want.cost {
			t.Errorf("period %d: tariff %s, day %s, cost %s; want %+v", i, pc.Period.Tariff.Name,
				pc.Days[0].Date.Format(time.DateOnly), pc.Costs.Total().FormatCents(), want)
		}
	}
}

func TestSeasons(t *testing.T) {
	t.Parallel()
	p := pricer(t, time.UTC, "2024-01-01", "2025-01-01",
		usage(t, "Summer", "0.40", win(t, nil, "", "", "11-01", "03-31")),
		usage(t, "Winter", "0.20", win(t, nil, "", "", "04-01", "10-31")),
	)
	a := p.NewAccumulator()
	dates := []string{"2024-01-01", "2024-02-29", "2024-03-31", "2024-04-01", "2024-10-31", "2024-11-01", "2024-12-31"}
	want := []string{"0.40", "0.40", "0.40", "0.20", "0.20", "0.40", "0.40"}
	for _, d := range dates {
		a.AddAt(date(d).Add(12*time.Hour), 1000, 0)
	}
	r := mustResult(t, a)
	for i, d := range r.Periods[0].Days {
		if got := d.Costs.Usage.FormatCents(); got != want[i] {
			t.Errorf("%s: 1 kWh costs %s, want %s", dates[i], got, want[i])
		}
	}
}

func TestDemandCharges(t *testing.T) {
	t.Parallel()
	peak := win(t, weekdays, "15:00", "21:00")
	p := pricer(t, time.UTC, "2024-01-01", "2024-01-03", // Monday and Tuesday
		demand(t, "Period", "0.50", models.DemandOverBillingPeriod, peak),
		demand(t, "Daily", "0.40", models.DemandOverDay, peak),
	)
	a := p.NewAccumulator()
	for ts := date("2024-01-01"); ts.Before(date("2024-01-03")); ts = ts.Add(fiveMin) {
		wh := 100.0 // 1.2 kW
		switch {
		case ts.Day() == 1 && ts.Hour() == 17 && ts.Minute() < 30:
			wh = 250 // 3 kW for one half-hour, inside the window
		case ts.Day() == 1 && ts.Hour() == 10:
			wh = 500 // 6 kW, outside the window: not charged
		case ts.Day() == 2 && ts.Hour() == 20 && ts.Minute() >= 30:
			wh = 200 // 2.4 kW in the last half-hour of Tuesday's window
		case ts.Day() == 2 && ts.Hour() == 21:
			wh = 400 // just after the window
		}
		a.AddAt(ts, wh, 0)
	}
	r := mustResult(t, a)
	pc := r.Periods[0]
	if pc.PeakKW[0] != 3 || pc.PeakKW[1] != 3 {
		t.Errorf("period peaks = %v, want 3 kW", pc.PeakKW)
	}
	// Period: 3 kW × 0.50 on each day. Daily: Monday 3 kW, Tuesday 2.4 kW,
	// at 0.40.
	for i, want := range []string{"2.70", "2.46"} {
		if got := pc.Days[i].Costs.Demand.FormatCents(); got != want {
			t.Errorf("day %d demand = %s, want %s", i, got, want)
		}
	}
}

// TestExactCentsOverAYear prices most of a year whose exact total is half a
// cent: 105,300 five-minute intervals of 0.1 Wh at 0.50 per kWh is exactly
// 5.265, which rounds to 5.27. Adding up per-interval costs in float64 ends
// at 5.26499999999…, a cent short; the engine must not.
func TestExactCentsOverAYear(t *testing.T) {
	t.Parallel()
	p := pricer(t, time.UTC, "2024-01-01", "2025-01-01", supply(t, "0"), usage(t, "", "0.50", models.TariffWindow{}))
	a := p.NewAccumulator()
	naive := 0.0
	ts := date("2024-01-01")
	for range 105_300 {
		a.AddAt(ts, 0.1, 0)
		naive += 0.1 / 1000 * 0.50
		ts = ts.Add(fiveMin)
	}
	r := mustResult(t, a)
	if got := r.Total().Total(); got != money(t, "5.265") || got.FormatCents() != "5.27" {
		t.Errorf("year total = %s (%s), want exactly 5.265 (5.27)", got, got.FormatCents())
	}
	var days models.Money
	for _, d := range r.Periods[0].Days {
		days += d.Costs.Total()
	}
	if days != r.Periods[0].Costs.Total() {
		t.Errorf("period %s is not the exact sum of its days %s", r.Periods[0].Costs.Total(), days)
	}
	t.Logf("float64 sum of interval costs: %.12f, rounds to %.2f", naive, naive)
}

// TestAgainstRationalOracle prices three months of random data (the end of
// daylight saving included) under a time-of-use tariff with supply and
// demand charges, and checks every day and the total against an oracle that
// sums each interval's cost as an exact rational.
func TestAgainstRationalOracle(t *testing.T) {
	t.Parallel()
	loc := sydney(t)
	comps := append(touTariff(t), supply(t, "1.0523"), demand(t, "", "0.3317", models.DemandOverBillingPeriod, models.TariffWindow{}))
	tariff := &Tariff{Name: "tou", Components: comps}
	p, err := NewPricer(loc, []Period{{ID: 1, Start: date("2024-03-01"), End: date("2024-06-01"), Tariff: tariff}})
	if err != nil {
		t.Fatal(err)
	}
	a := p.NewAccumulator()
	rng := rand.New(rand.NewPCG(1, 2))
	windows := make([]Window, len(comps))
	for i, c := range comps {
		windows[i], _ = CompileWindow(c.When())
	}
	rat := func(m models.Money) *big.Rat { return big.NewRat(int64(m), int64(models.Unit)) }
	oracleDays := map[string]*big.Rat{}
	peak := 0.0
	block := map[int64]float64{}
	for ts := time.Date(2024, 3, 1, 0, 0, 0, 0, loc); ts.Before(time.Date(2024, 6, 1, 0, 0, 0, 0, loc)); ts = ts.Add(fiveMin) {
		imp, exp := rng.Float64()*150, rng.Float64()*80
		a.AddAt(ts, imp, exp)
		lt := ts.In(loc)
		key := lt.Format(time.DateOnly)
		if oracleDays[key] == nil {
			oracleDays[key] = rat(money(t, "1.0523"))
		}
		c := ClockOf(lt)
		for i, comp := range comps {
			if !windows[i].Contains(c) {
				continue
			}
			var r models.Money
			var wh float64
			switch v := comp.(type) {
			case *UsageRate:
				r, wh = v.Rate, imp
			case *FeedInRate:
				r, wh = -v.Rate, exp
			default:
				continue
			}
			cost := new(big.Rat).Mul(rat(r), new(big.Rat).SetFloat64(wh))
			oracleDays[key].Add(oracleDays[key], cost.Quo(cost, big.NewRat(1000, 1)))
		}
		block[ts.Unix()/1800] += imp
		peak = max(peak, block[ts.Unix()/1800]/500)
	}
	r := mustResult(t, a)
	days := r.Periods[0].Days
	if len(days) != 92 {
		t.Fatalf("%d days priced, want 92", len(days))
	}
	demandPerDay := new(big.Rat).Mul(rat(money(t, "0.3317")), new(big.Rat).SetFloat64(peak))
	total := new(big.Rat)
	for _, d := range days {
		want := new(big.Rat).Add(oracleDays[d.Date.Format(time.DateOnly)], demandPerDay)
		total.Add(total, want)
		if got := d.Costs.Total().FormatCents(); got != want.FloatString(2) && !nearHalfCent(want) {
			t.Errorf("%s: %s, oracle %s", d.Date.Format(time.DateOnly), got, want.FloatString(9))
		}
	}
	got := r.Total().Total()
	diff := new(big.Rat).Sub(rat(got), total)
	if diff.Abs(diff).Cmp(big.NewRat(1, 1_000_000)) > 0 {
		t.Errorf("total %s differs from the oracle %s by more than a millionth", got, total.FloatString(9))
	}
	if got.FormatCents() != total.FloatString(2) {
		t.Errorf("total %s, oracle %s", got.FormatCents(), total.FloatString(2))
	}
}

// nearHalfCent reports whether x is within a millionth of a half cent, where
// the nano-unit rounding of each day's terms may legitimately decide the
// cent.
func nearHalfCent(x *big.Rat) bool {
	hundred := new(big.Rat).Mul(x, big.NewRat(100, 1))
	f, _ := hundred.Float64()
	frac := f - float64(int64(f))
	return frac > 0.4999 && frac < 0.5001
}

func TestSweepSharesLocate(t *testing.T) {
	t.Parallel()
	p := pricer(t, time.UTC, "2024-01-01", "2024-02-01", append(touTariff(t), supply(t, "1"))...)
	base, battery := p.NewAccumulator(), p.NewAccumulator()
	single := p.NewAccumulator()
	for ts := date("2024-01-01"); ts.Before(date("2024-01-08")); ts = ts.Add(fiveMin) {
		in := p.Locate(ts)
		base.Add(in, 100, 40)
		battery.Add(in, 60, 10)
		single.AddAt(ts, 60, 10)
	}
	rb, rs := mustResult(t, battery), mustResult(t, single)
	if rb.Total() != rs.Total() {
		t.Errorf("shared Locate %+v != AddAt %+v", rb.Total(), rs.Total())
	}
	if mustResult(t, base).Total().Total() <= rb.Total().Total() {
		t.Errorf("less import should cost less")
	}
}

func TestUncoveredIntervals(t *testing.T) {
	t.Parallel()
	loc := sydney(t)
	p := pricer(t, loc, "2025-01-01", "2025-02-01", supply(t, "1"))
	a := p.NewAccumulator()
	feed(a, time.Date(2025, 1, 31, 0, 0, 0, 0, loc), time.Date(2025, 2, 3, 0, 0, 0, 0, loc), time.Hour, 1, 0)
	r, err := a.Result()
	var ue *UncoveredError
	if !errors.As(err, &ue) {
		t.Fatalf("want an UncoveredError, got %v", err)
	}
	if ue.Intervals != 48 || err.Error() != "no billing period covers 2025-02-01 to 2025-02-02 (48 intervals)" {
		t.Errorf("error = %q (%d intervals)", err, ue.Intervals)
	}
	if len(r.Periods) != 1 || r.Periods[0].Costs.Supply != money(t, "1") {
		t.Errorf("the covered day should still be priced: %+v", r.Periods)
	}
}

func TestOutOfOrder(t *testing.T) {
	t.Parallel()
	p := pricer(t, time.UTC, "2024-01-01", "2024-02-01", supply(t, "1"))
	a := p.NewAccumulator()
	a.AddAt(date("2024-01-02"), 1, 0)
	a.AddAt(date("2024-01-01"), 1, 0)
	if _, err := a.Result(); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("want ErrOutOfOrder, got %v", err)
	}
}

func TestNewPricerRefuses(t *testing.T) {
	t.Parallel()
	ok := &Tariff{Name: "ok", Components: []Component{supply(t, "1")}}
	tests := []struct {
		name    string
		periods []Period
		want    string
	}{
		{"no components", []Period{{Start: date("2024-01-01"), End: date("2024-02-01"), Tariff: &Tariff{Name: "empty"}}},
			`billing period 2024-01-01 to 2024-01-31: tariff "empty": tariff has no components`},
		{"overlap", []Period{
			{Start: date("2024-01-01"), End: date("2024-02-01"), Tariff: ok},
			{Start: date("2024-01-31"), End: date("2024-03-01"), Tariff: ok},
		}, "billing periods 2024-01-01 to 2024-01-31 and 2024-01-31 to 2024-02-29 overlap"},
		{"empty period", []Period{{Start: date("2024-01-01"), End: date("2024-01-01"), Tariff: ok}}, "ends before it starts"},
	}
	for _, tt := range tests {
		_, err := NewPricer(time.UTC, tt.periods)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}
