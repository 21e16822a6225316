package report

import (
	"context"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
)

// A sweep of any number of batteries reads the site's summary once, and
// sends no more statements than one battery: asserted on the statements
// that reach PostgreSQL over a connection this test traces.
func TestSweepReadsSummaryOnce(t *testing.T) {
	t.Parallel()
	log := &statementLog{}
	db := openTraced(t, dbtest.NewDatabase(t, true), log)
	loc, _ := time.LoadLocation("Australia/Adelaide")
	home := reporttest.AddSite(t, db, "home", "Australia/Adelaide")
	reporttest.Load(t, db, home, 30*time.Minute, reporttest.HouseholdRows(time.Date(2024, 3, 1, 0, 0, 0, 0, loc), 31))
	flat := reporttest.AddFlatTariff(t, db, "Flat", "1.00", "0.30", "0.05")
	reporttest.AddPeriods(t, db, home, flat, "2024-03-01", "2024-03-31", "")

	statements := func(n int) []string {
		var cfgs []battery.Config
		for i := 1; i <= n; i++ {
			cfgs = append(cfgs, battery.Config{Model: battery.ModelSeed, CapacityWh: float64(i) * 2500, Efficiency: 0.9})
		}
		before := len(log.since(0))
		if _, err := Compute(context.Background(), db, Options{Batteries: cfgs}); err != nil {
			t.Fatal(err)
		}
		return log.since(before)
	}
	one, many := statements(1), statements(20)
	if n := readsOfSummary(many); n != 1 {
		t.Errorf("a sweep of 20 batteries read summary %d times, want once:\n%q", n, many)
	}
	if len(many) != len(one) {
		t.Errorf("20 batteries sent %d statements, one battery %d", len(many), len(one))
	}
}
