package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/demo"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/models"
)

// fleetFixture is a database of six sites imported through the CSV
// importer: three that can be reported (ten January days each, different
// households, the demo's time-of-use tariff, monthly bills), one with data
// but no billing period, one with billing periods but no data, and one
// whose billing periods miss its data.
type fleetFixture struct {
	db                *bun.DB
	reportable        []string
	noBilling, noData string
	notCovered        string
}

func newFleetFixture(t *testing.T) fleetFixture {
	t.Helper()
	db := dbtest.NewMigratedDB(t)
	tr := reporttest.AddDemoTariff(t, db, "Fleet TOU")
	var fx fleetFixture
	fx.db = db
	for i := range 3 {
		h := demo.FleetHousehold(i)
		id := reporttest.ImportHousehold(t, db, h, 10)
		reporttest.AddPeriods(t, db, id, tr, "2024-01-01", "2024-02-29", "month")
		fx.reportable = append(fx.reportable, h.Name)
	}
	h := demo.FleetHousehold(3)
	reporttest.ImportHousehold(t, db, h, 10)
	fx.noBilling = h.Name

	fx.noData = "no-data-yet"
	id := reporttest.AddSite(t, db, fx.noData, "Australia/Perth")
	reporttest.AddPeriods(t, db, id, tr, "2024-01-01", "2024-01-31", "")

	h = demo.FleetHousehold(4)
	id = reporttest.ImportHousehold(t, db, h, 10)
	reporttest.AddPeriods(t, db, id, tr, "2023-01-01", "2023-12-31", "quarter")
	fx.notCovered = h.Name
	return fx
}

func fleetOptions(cfgs []battery.Config) Options {
	price := Price{Fixed: 2000 * models.Unit, PerKWh: 600 * models.Unit}
	rate := 0.05
	return Options{Batteries: cfgs, Price: &price, DiscountRate: &rate}
}

// Every site gets one row: the reportable ones ranked by savings per year,
// each with exactly the single-site report's figures for its battery; the
// others after them with the reason the single-site report gives. One
// worker or four, the rows are the same.
func TestFleetRanksEverySiteLikeItsOwnReport(t *testing.T) {
	t.Parallel()
	fx := newFleetFixture(t)
	ctx := context.Background()
	opts := fleetOptions([]battery.Config{{Model: battery.ModelFull, CapacityWh: 10000, Efficiency: 0.9, ChargePowerW: 5000, DischargePowerW: 5000}})

	var events []ProgressEvent
	one, err := ComputeFleet(ctx, fx.db, FleetOptions{Report: opts, AllSites: true, Jobs: 1,
		Progress: func(ev ProgressEvent) { events = append(events, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 6 || events[5] != (ProgressEvent{Phase: ProgressSites, Done: 6, Total: 6}) {
		t.Errorf("progress %+v, want a site at a time up to 6 of 6", events)
	}
	four, err := ComputeFleet(ctx, fx.db, FleetOptions{Report: opts, AllSites: true, Jobs: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, four) {
		t.Fatalf("--jobs 1 and --jobs 4 differ:\n%+v\n%+v", one.Rows, four.Rows)
	}
	if len(one.Rows) != 6 || one.Reported != 3 || one.Skipped != 3 {
		t.Fatalf("%d rows, %d reported, %d skipped; want 6, 3, 3", len(one.Rows), one.Reported, one.Skipped)
	}
	for i, row := range one.Rows[:3] {
		if row.Skipped() || row.Rank != i+1 {
			t.Fatalf("row %d: rank %d, reason %q", i, row.Rank, row.Reason)
		}
		if i > 0 && row.Result.SavingsPerYear > one.Rows[i-1].Result.SavingsPerYear {
			t.Errorf("row %d saves %v a year, more than row %d above it (%v)", i, row.Result.SavingsPerYear, i-1, one.Rows[i-1].Result.SavingsPerYear)
		}
		o := opts
		o.Site = row.Site
		rep, err := Compute(ctx, fx.db, o)
		if err != nil {
			t.Fatal(err)
		}
		want := rep.Results[0]
		want.Periods = nil
		if !reflect.DeepEqual(row.Result, want) {
			t.Errorf("%s: fleet row\n%+v\nsingle-site report\n%+v", row.Site, row.Result, want)
		}
		if row.DaysPriced != rep.DaysPriced || row.Intervals != rep.Data.Intervals || row.Intervals != 10*288 {
			t.Errorf("%s: %d days priced and %d intervals, the report has %d and %d", row.Site, row.DaysPriced, row.Intervals, rep.DaysPriced, rep.Data.Intervals)
		}
		if got := row.First.Format("2006-01-02") + " " + row.Last.Format("2006-01-02"); got != "2024-01-01 2024-01-10" {
			t.Errorf("%s: data span %s, want 2024-01-01 to 2024-01-10 local", row.Site, got)
		}
		if row.Result.Price == nil || row.Result.NPV == nil || math.IsNaN(row.Result.PaybackYears) {
			t.Errorf("%s: no price, payback or NPV: %+v", row.Site, row.Result)
		}
	}
	if got := []string{one.Rows[0].Site, one.Rows[1].Site, one.Rows[2].Site}; !sameSet(got, fx.reportable) {
		t.Errorf("reported %v, want %v", got, fx.reportable)
	}
	if one.Rows[0].Result.SavingsPerYear == one.Rows[2].Result.SavingsPerYear {
		t.Error("every site saves the same: the ranking proves nothing")
	}

	reasons := map[string]string{}
	for _, row := range one.Rows[3:] {
		if !row.Skipped() || row.Rank != 0 {
			t.Fatalf("%s: rank %d after the reported sites, reason %q", row.Site, row.Rank, row.Reason)
		}
		reasons[row.Site] = row.Reason
		o := opts
		o.Site = row.Site
		if _, err := Compute(ctx, fx.db, o); err == nil || err.Error() != row.Reason {
			t.Errorf("%s: reason %q, the single-site report says %v", row.Site, row.Reason, err)
		}
	}
	for site, word := range map[string]string{fx.noBilling: "billing period", fx.noData: "no data", fx.notCovered: "billing period"} {
		if !strings.Contains(reasons[site], word) {
			t.Errorf("%s: reason %q does not mention %q", site, reasons[site], word)
		}
	}
	if one.Rows[3].Site > one.Rows[4].Site || one.Rows[4].Site > one.Rows[5].Site {
		t.Errorf("skipped sites not in name order: %s, %s, %s", one.Rows[3].Site, one.Rows[4].Site, one.Rows[5].Site)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// Naming sites picks those only, each once; a typo is refused before any
// work with the name meant; a sweep's row holds the size the site's own
// report marks best.
func TestFleetChosenSitesAndSweep(t *testing.T) {
	t.Parallel()
	fx := newFleetFixture(t)
	ctx := context.Background()
	var cfgs []battery.Config
	for _, wh := range []float64{3000, 6000, 10000, 15000} {
		cfgs = append(cfgs, battery.Config{Model: battery.ModelSeed, CapacityWh: wh, Efficiency: 0.9})
	}
	opts := fleetOptions(cfgs)
	a, b := fx.reportable[2], fx.reportable[0]
	fl, err := ComputeFleet(ctx, fx.db, FleetOptions{Report: opts, Sites: []string{a, b, a, fx.noData}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fl.Rows) != 3 || fl.Reported != 2 || fl.Rows[2].Site != fx.noData || fl.BestBy != "payback" {
		t.Fatalf("rows %+v, best by %q", fl.Rows, fl.BestBy)
	}
	for _, row := range fl.Rows[:2] {
		o := opts
		o.Site = row.Site
		rep, err := Compute(ctx, fx.db, o)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Best < 0 || !row.Best || row.Result.Config != rep.Results[rep.Best].Config {
			t.Errorf("%s: row holds %s (best %v), the report's best is %d", row.Site, row.Result.Label, row.Best, rep.Best)
		}
		if row.Result.SavingsPerYear != rep.Results[rep.Best].SavingsPerYear {
			t.Errorf("%s: savings per year %v, the report's best has %v", row.Site, row.Result.SavingsPerYear, rep.Results[rep.Best].SavingsPerYear)
		}
	}

	_, err = ComputeFleet(ctx, fx.db, FleetOptions{Report: opts, Sites: []string{a, "fleet-0002"}})
	if err == nil || !strings.Contains(err.Error(), `did you mean "fleet-00002"`) {
		t.Errorf("a typo gave %v", err)
	}
	for _, fo := range []FleetOptions{
		{Report: opts, Sites: []string{a}, AllSites: true},
		{Report: opts},
		{Report: opts, AllSites: true, Jobs: -1},
		{Report: Options{Batteries: cfgs, Profile: true}, AllSites: true},
	} {
		if _, err := ComputeFleet(ctx, fx.db, fo); err == nil {
			t.Errorf("%+v was accepted", fo)
		}
	}
}

// When no site can be reported every chosen site is still a row, each with
// its reason, and Err says that nothing was reported.
func TestFleetNothingReported(t *testing.T) {
	t.Parallel()
	fx := newFleetFixture(t)
	opts := Options{Batteries: []battery.Config{{CapacityWh: 13500, Efficiency: 0.9}}}
	fl, err := ComputeFleet(context.Background(), fx.db, FleetOptions{Report: opts, Sites: []string{fx.noData, fx.noBilling}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fl.Err(); !errors.Is(err, ErrNothingReported) || !strings.Contains(err.Error(), "all 2 site(s) skipped") {
		t.Fatalf("Err() = %v, want ErrNothingReported for 2 sites", err)
	}
	if fl.Reported != 0 || fl.Skipped != 2 || len(fl.Rows) != 2 {
		t.Fatalf("%d reported, %d skipped, %d rows; want 0, 2, 2", fl.Reported, fl.Skipped, len(fl.Rows))
	}
	for _, row := range fl.Rows {
		if !row.Skipped() || row.Rank != 0 {
			t.Errorf("skipped site %+v", row)
		}
	}
	if err := (&Fleet{Reported: 1, Skipped: 2}).Err(); err != nil {
		t.Errorf("one site reported, Err() = %v", err)
	}
}

// Ranking: savings per year, largest first; equal savings by name; skipped
// sites last, by name, without a rank.
func TestFleetRankOrder(t *testing.T) {
	t.Parallel()
	row := func(site string, perYear models.Money, reason string) SiteRow {
		return SiteRow{Site: site, Reason: reason, Result: Result{SavingsPerYear: perYear}}
	}
	fl := &Fleet{Rows: []SiteRow{
		row("zeta", 0, "no data"), row("bravo", 5, ""), row("alpha", -3, ""),
		row("delta", 9, ""), row("charlie", 5, ""), row("echo", 0, "no billing period"),
	}}
	fl.rank()
	var got []string
	for _, r := range fl.Rows {
		got = append(got, r.Site)
		if r.Skipped() != (r.Rank == 0) {
			t.Errorf("%s: rank %d, reason %q", r.Site, r.Rank, r.Reason)
		}
	}
	if want := "delta bravo charlie alpha echo zeta"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
	if fl.Reported != 4 || fl.Skipped != 2 || fl.Rows[3].Rank != 4 {
		t.Errorf("reported %d, skipped %d, last rank %d", fl.Reported, fl.Skipped, fl.Rows[3].Rank)
	}
}

// Each worker needs a session: more jobs than the server has sessions left
// are refused up front, with the number that would fit; one per core is
// lowered to fit.
func TestFleetWorkersFitTheServer(t *testing.T) {
	t.Parallel()
	db := dbtest.NewDB(t)
	ctx := context.Background()
	var limit int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('max_connections')::int").Scan(&limit); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ jobs, cores, sites, want int }{
		{jobs: 4, cores: 2, sites: 3, want: 3},
		{jobs: 0, cores: 2, sites: 10, want: 2},
		{jobs: 5, cores: 2, sites: 10, want: 5},
	} {
		if n, err := workers(ctx, db, c.jobs, c.cores, c.sites); err != nil || n != c.want {
			t.Errorf("workers(jobs %d, cores %d, sites %d) = %d, %v; want %d", c.jobs, c.cores, c.sites, n, err, c.want)
		}
	}
	n, err := workers(ctx, db, 0, limit+50, limit+50)
	if err != nil || n < 3 || n >= limit {
		t.Errorf("one worker per core on %d cores: %d workers, %v; want fewer than max_connections %d", limit+50, n, err, limit)
	}
	_, err = workers(ctx, db, limit+50, 2, limit+50)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("--jobs %d needs %d sessions on the server", limit+50, limit+50)) ||
		!strings.Contains(err.Error(), fmt.Sprintf("max_connections %d", limit)) {
		t.Errorf("--jobs beyond max_connections: %v", err)
	}
}

// A site with neither data nor billing periods is told to import its data
// first; one with data but no periods, to add them.
func TestFleetSiteWithNothingIsToldToImportFirst(t *testing.T) {
	t.Parallel()
	fx := newFleetFixture(t)
	reporttest.AddSite(t, fx.db, "bare", "Australia/Perth")
	opts := Options{Batteries: []battery.Config{{CapacityWh: 13500, Efficiency: 0.9}}}
	fl, err := ComputeFleet(context.Background(), fx.db, FleetOptions{Report: opts, Sites: []string{"bare", fx.noBilling}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bare":       `site "bare" has no data and no billing periods: import its data with ` + "`solarview import`" + `, then add billing periods with ` + "`solarview billing add`",
		fx.noBilling: fmt.Sprintf(`site %q has no billing periods: add them with `, fx.noBilling) + "`solarview billing add`",
	}
	if len(fl.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(fl.Rows), len(want), fl.Rows)
	}
	for _, r := range fl.Rows {
		if r.Reason != want[r.Site] {
			t.Errorf("%s: reason %q, want %q", r.Site, r.Reason, want[r.Site])
		}
	}
}
