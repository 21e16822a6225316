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

// The summary query is planned once per connection: every read after the
// first runs the generic plan (pg_prepared_statements counts them), where
// PostgreSQL by itself would plan the first five afresh.
func TestSummaryQueryIsPlannedOncePerConnection(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	loc, _ := time.LoadLocation("Australia/Adelaide")
	home := reporttest.AddSite(t, db, "home", "Australia/Adelaide")
	reporttest.Load(t, db, home, 30*time.Minute, reporttest.HouseholdRows(time.Date(2024, 3, 1, 0, 0, 0, 0, loc), 3))
	db.SetMaxOpenConns(1) // one session from here: the pool hands it back each time
	ctx := context.Background()
	const reads = 3
	for range reads {
		err := streamSummary(ctx, db, home, span{}, true, func(src battery.Source) error {
			var iv battery.Interval
			for src.Next(&iv) {
			}
			return src.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int
	err := db.QueryRowContext(ctx, "SELECT generic_plans, custom_plans FROM pg_prepared_statements "+
		"WHERE statement LIKE '%FROM summary%' AND statement NOT LIKE '%pg_prepared_statements%'").Scan(&generic, &custom)
	if err != nil {
		t.Fatal(err)
	}
	if generic != reads || custom != 0 {
		t.Errorf("%d reads of summary ran %d generic and %d custom plans, want only generic ones", reads, generic, custom)
	}
}
