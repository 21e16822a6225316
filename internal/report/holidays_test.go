package report

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

// A plan that prices public holidays: the reports say once when no holiday
// calendar covers the data, and price a loaded holiday at the plan's
// holiday rate, in battery and in compare alike (compare loads the calendar
// for a plan even when the site's own tariff names no holidays).
func TestReportsUseAndMissPublicHolidays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	loc, _ := time.LoadLocation("Australia/Adelaide")
	rows := reporttest.HouseholdRows(time.Date(2024, 3, 4, 0, 0, 0, 0, loc), 8) // Monday 4 to Monday 11 March
	plan, err := tariff.ReadPlan([]byte(`{"dailySupplyCharge": 1, "timeOfUseRates": [
		{"displayName": "Weekday", "unitPrice": 0.5, "days": ["MON", "TUE", "WED", "THU", "FRI"]},
		{"displayName": "Weekend and holidays", "unitPrice": 0.2, "days": ["SAT", "SUN", "PUBLIC_HOLIDAYS"]}]}`), tariff.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	holidayPlan := saveTariff(t, db, &tariff.Tariff{Name: "Holidays", Components: plan.Components})
	flat := reporttest.AddFlatTariff(t, db, "Flat", "1.00", "0.30", "0.05")
	home := reporttest.AddSite(t, db, "home", "Australia/Adelaide")
	reporttest.Load(t, db, home, 30*time.Minute, rows)
	reporttest.AddPeriods(t, db, home, holidayPlan, "2024-03-01", "2024-03-31", "")
	other := reporttest.AddSite(t, db, "other", "Australia/Adelaide")
	reporttest.Load(t, db, other, 30*time.Minute, rows)
	reporttest.AddPeriods(t, db, other, flat, "2024-03-01", "2024-03-31", "")

	opts := Options{Site: "home", Batteries: []battery.Config{{CapacityWh: 5000, Efficiency: 0.9}}}
	before, err := Compute(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Warnings) != 1 || !strings.Contains(before.Warnings[0], "no public holidays are loaded") {
		t.Fatalf("warnings without a calendar: %q", before.Warnings)
	}
	cmpOpts := CompareOptions{Options: func() Options { o := opts; o.Site = "other"; return o }(), Tariffs: []string{"Holidays"}}
	cmp, err := ComputeComparison(ctx, db, cmpOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Warnings) != 1 || !strings.Contains(cmp.Warnings[0], "no public holidays are loaded") {
		t.Fatalf("compare's warnings without a calendar: %q", cmp.Warnings)
	}

	// Monday 11 March 2024 is Adelaide Cup day in South Australia.
	if _, err := tariff.ImportHolidays(ctx, db, []tariff.HolidayRow{
		{Date: time.Date(2024, 3, 11, 0, 0, 0, 0, time.UTC), Name: "Adelaide Cup", Region: "SA", Line: 2},
		{Date: time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC), Name: "Christmas Day", Region: "SA", Line: 3},
	}); err != nil {
		t.Fatal(err)
	}
	after, err := Compute(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Warnings) != 0 {
		t.Errorf("warnings with a calendar: %q", after.Warnings)
	}
	// The holiday's import moves from 0.50 to 0.20 per kWh.
	var holidayImportWh float64
	for _, r := range rows {
		if d := r.Start.In(loc); d.Day() == 11 {
			holidayImportWh += r.Import
		}
	}
	if holidayImportWh == 0 {
		t.Fatal("the test data has no import on the holiday")
	}
	want := money(before.Results[0].BaselineCost) - 0.3*holidayImportWh/1000
	if got := money(after.Results[0].BaselineCost); !near(got, want) {
		t.Errorf("baseline cost with the holiday %.6f, want %.6f (%v without)", got, want, before.Results[0].BaselineCost)
	}
	cmp, err = ComputeComparison(ctx, db, cmpOpts)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Warnings) != 0 {
		t.Errorf("compare's warnings with a calendar: %q", cmp.Warnings)
	}
	for _, p := range cmp.Plans {
		if p.Name == "Holidays" && p.Report.Results[0].BaselineCost != after.Results[0].BaselineCost {
			t.Errorf("compare prices the holiday plan at %v, battery at %v", p.Report.Results[0].BaselineCost, after.Results[0].BaselineCost)
		}
	}
}

func money(m models.Money) float64 { return float64(m) / float64(models.Unit) }

// near allows for the one bill's rounding to the cent.
func near(a, b float64) bool { d := a - b; return d <= 0.005 && d >= -0.005 }
