package demo

import (
	"math"
	"testing"
	"time"
)

// yearTotals generates h's year and sums it by month.
func yearTotals(t *testing.T, h Household) (n int, gen, use, imp, exp [13]float64) {
	t.Helper()
	loc, _ := time.LoadLocation(h.TimeZone)
	var prev time.Time
	err := h.Generate(func(iv Interval) error {
		if !prev.IsZero() && iv.Start.Sub(prev) != h.Step {
			t.Fatalf("interval at %v follows %v: want a %v step", iv.Start, prev, h.Step)
		}
		prev = iv.Start
		if iv.Generation < 0 || iv.Consumption <= 0 || iv.Import < 0 || iv.Export < 0 {
			t.Fatalf("negative or zero energy at %v: %+v", iv.Start, iv)
		}
		if iv.Import > 0 && iv.Export > 0 {
			t.Fatalf("import and export together at %v", iv.Start)
		}
		if d := iv.Consumption - iv.Generation - (iv.Import - iv.Export); math.Abs(d) > 0.002 {
			t.Fatalf("energy does not balance at %v: %+v", iv.Start, iv)
		}
		m := iv.Start.In(loc).Month()
		n++
		gen[m] += iv.Generation
		use[m] += iv.Consumption
		imp[m] += iv.Import
		exp[m] += iv.Export
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

func TestAdelaideYearIsPlausible(t *testing.T) {
	t.Parallel()
	n, gen, use, imp, exp := yearTotals(t, Adelaide)
	if n != 105408 {
		t.Fatalf("generated %d intervals, want 366×288 = 105408", n)
	}
	var g, u, i, e float64
	for m := 1; m <= 12; m++ {
		g, u, i, e = g+gen[m], u+use[m], i+imp[m], e+exp[m]
	}
	// A 6.6 kW array in Adelaide makes roughly 9–11 MWh a year; an
	// Australian household uses roughly 5–8 MWh.
	if g < 8.5e6 || g > 12e6 {
		t.Errorf("yearly generation %.0f kWh, want 8,500–12,000", g/1000)
	}
	if u < 4.5e6 || u > 9e6 {
		t.Errorf("yearly consumption %.0f kWh, want 4,500–9,000", u/1000)
	}
	if i < 1e6 || e < 3e6 {
		t.Errorf("import %.0f kWh, export %.0f kWh: a battery would have nothing to do", i/1000, e/1000)
	}
	// Southern hemisphere: December makes far more than June.
	if gen[12] < 1.8*gen[6] {
		t.Errorf("December generation %.0f kWh is not well above June's %.0f kWh", gen[12]/1000, gen[6]/1000)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	h := Adelaide
	h.Year = 2023
	var first []Interval
	h.Generate(func(iv Interval) error {
		if len(first) < 5000 {
			first = append(first, iv)
		}
		return nil
	})
	i := 0
	h.Generate(func(iv Interval) error {
		if i < len(first) && !sameInterval(iv, first[i]) {
			t.Fatalf("interval %d differs between runs: %+v vs %+v", i, iv, first[i])
		}
		i++
		return nil
	})
}

func TestGenerateDaylightSavingDays(t *testing.T) {
	t.Parallel()
	// Adelaide's clocks go back on 7 April 2024 and forward on 6 October
	// 2024: those local days have 25 and 23 hours of intervals.
	loc, _ := time.LoadLocation(Adelaide.TimeZone)
	perDay := map[string]int{}
	Adelaide.Generate(func(iv Interval) error {
		perDay[iv.Start.In(loc).Format(time.DateOnly)]++
		return nil
	})
	for day, want := range map[string]int{"2024-04-07": 300, "2024-10-06": 276, "2024-06-01": 288} {
		if perDay[day] != want {
			t.Errorf("%s has %d intervals, want %d", day, perDay[day], want)
		}
	}
}

func BenchmarkGenerateYear(b *testing.B) {
	for b.Loop() {
		Adelaide.Generate(func(Interval) error { return nil })
	}
}

func sameInterval(a, b Interval) bool {
	return a.Start.Equal(b.Start) && a.Generation == b.Generation && a.Consumption == b.Consumption &&
		a.Import == b.Import && a.Export == b.Export && a.Outdoor == b.Outdoor && a.Sun == b.Sun
}

// A fleet's households differ from one another and from the demo, and each
// still makes a plausible year: a leap year of 5-minute intervals in its own
// zone, generation in line with its array.
func TestFleetHouseholdsAreDistinct(t *testing.T) {
	t.Parallel()
	if FleetHousehold(3) != FleetHousehold(3) {
		t.Fatal("FleetHousehold is not deterministic")
	}
	seen := map[[3]float64]int{}
	zones := map[string]bool{}
	for i := 0; i < 200; i++ {
		h := FleetHousehold(i)
		key := [3]float64{float64(h.Seed), h.PVCapacity, h.LoadScale}
		if j, ok := seen[key]; ok {
			t.Fatalf("households %d and %d are the same: %+v", j, i, h)
		}
		seen[key] = i
		zones[h.TimeZone] = true
		if _, err := time.LoadLocation(h.TimeZone); err != nil {
			t.Fatal(err)
		}
	}
	if len(zones) < 5 {
		t.Errorf("a fleet of 200 spans %d time zones", len(zones))
	}
	var totals [2]float64
	for k, i := range []int{0, 1} {
		h := FleetHousehold(i)
		n, gen, use, _, _ := yearTotals(t, h)
		if n != 105408 {
			t.Fatalf("%s: %d intervals, want 105408", h.Name, n)
		}
		var g, u float64
		for m := 1; m <= 12; m++ {
			g, u = g+gen[m], u+use[m]
		}
		// Roughly 1.1–1.8 MWh per kW of PV a year anywhere in Australia.
		if perKW := g / h.PVCapacity; perKW < 1100 || perKW > 1900 {
			t.Errorf("%s (%s, %.1f kW): %.0f kWh per kW of PV", h.Name, h.TimeZone, h.PVCapacity/1000, perKW)
		}
		totals[k] = u
	}
	if totals[0] == totals[1] {
		t.Error("two fleet households use exactly the same energy")
	}
}
