package tariff

import (
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

// Builders for components in tests. Times are "HH:MM", seasons "MM-DD".

func money(t testing.TB, s string) models.Money {
	t.Helper()
	m, err := models.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func supply(t testing.TB, amount string) *DailySupplyCharge {
	c := &DailySupplyCharge{}
	c.Amount = money(t, amount)
	return c
}

// win builds a window: days (ISO numbers, nil for every day), start/end
// ("" for all day) and an optional season.
func win(t testing.TB, days []int16, start, end string, season ...string) models.TariffWindow {
	t.Helper()
	w := models.TariffWindow{Weekdays: days}
	if start != "" {
		s, err := models.ParseClockTime(start)
		if err != nil {
			t.Fatal(err)
		}
		e, err := models.ParseClockTime(end)
		if err != nil {
			t.Fatal(err)
		}
		w.StartTime, w.EndTime = &s, &e
	}
	if len(season) == 2 {
		w.SeasonStart, w.SeasonEnd = &season[0], &season[1]
	}
	return w
}

func usage(t testing.TB, label, rate string, w models.TariffWindow) *UsageRate {
	c := &UsageRate{}
	c.Label, c.Rate, c.TariffWindow = label, money(t, rate), w
	return c
}

func feedIn(t testing.TB, label, rate string, w models.TariffWindow) *FeedInRate {
	c := &FeedInRate{}
	c.Label, c.Rate, c.TariffWindow = label, money(t, rate), w
	return c
}

func demand(t testing.TB, label, rate, over string, w models.TariffWindow) *DemandCharge {
	c := &DemandCharge{}
	c.Label, c.Rate, c.MeasuredOver, c.TariffWindow = label, money(t, rate), over, w
	return c
}

var weekdays = []int16{1, 2, 3, 4, 5}

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func sydney(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// pricer builds a pricer with one tariff over [from, to).
func pricer(t testing.TB, loc *time.Location, from, to string, comps ...Component) *Pricer {
	t.Helper()
	p, err := NewPricer(loc, []Period{{ID: 1, Start: date(from), End: date(to), Tariff: &Tariff{Name: "test", Components: comps}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// feed adds constant import and export every step from start (a local
// wall-clock time in loc) until end.
func feed(a *Accumulator, start, end time.Time, step time.Duration, importWh, exportWh float64) int {
	n := 0
	for ts := start; ts.Before(end); ts = ts.Add(step) {
		a.AddAt(ts, importWh, exportWh)
		n++
	}
	return n
}

func mustResult(t testing.TB, a *Accumulator) *Result {
	t.Helper()
	r, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
