package report

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

// statementLog is a pgx tracer that records every statement sent on the
// connections of one test's pool: the test's own view of what reached
// PostgreSQL, with nothing in the production code to help it.
type statementLog struct {
	mu   sync.Mutex
	sqls []string
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	l.sqls = append(l.sqls, data.SQL)
	l.mu.Unlock()
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// since returns the statements logged after the first n.
func (l *statementLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.sqls[n:]...)
}

func (l *statementLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sqls)
}

// openTraced opens dsn through pgx with log as its tracer, the same driver
// solarview uses.
func openTraced(t *testing.T, dsn string, log *statementLog) *bun.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = log
	db := bun.NewDB(stdlib.OpenDB(*cfg), pgdialect.New())
	t.Cleanup(func() { db.Close() })
	return db
}

// readsOfSummary counts the statements that read the summary view.
func readsOfSummary(sqls []string) int {
	n := 0
	for _, s := range sqls {
		if strings.Contains(s, "FROM summary") {
			n++
		}
	}
	return n
}

func saveTariff(t *testing.T, db *bun.DB, tr *tariff.Tariff) *tariff.Tariff {
	t.Helper()
	tr.Retailer = "Test Energy"
	if err := tariff.SaveTariff(context.Background(), db, tariff.Components, tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// The acceptance test of `compare`: three plans and three battery sizes.
// Every cell equals the battery report of a copy of the site whose billing
// periods (same dates) are on that plan, and the comparison reads summary
// once: counted from the statements that reached PostgreSQL.
func TestCompareEqualsBatteryReportPerPlanAndReadsOnce(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	log := &statementLog{}
	db := openTraced(t, dsn, log)
	loc, _ := time.LoadLocation("Australia/Adelaide")
	// 51 days: March whole, April on 20 of its 30 days.
	rows := reporttest.HouseholdRows(time.Date(2024, 3, 1, 0, 0, 0, 0, loc), 51)

	current := reporttest.AddFlatTariff(t, db, "Current", "1.00", "0.30", "0.05")
	plans := []*tariff.Tariff{
		reporttest.AddFlatTariff(t, db, "Cheap flat", "1.20", "0.24", "0.03"),
		saveTariff(t, db, func() *tariff.Tariff { tr := touWithDemand(t); tr.Name = "TOU demand"; return tr }()),
		reporttest.AddFlatTariff(t, db, "High feed-in", "0.90", "0.33", "0.12"),
	}
	home := reporttest.AddSite(t, db, "home", "Australia/Adelaide")
	reporttest.Load(t, db, home, 30*time.Minute, rows)
	reporttest.AddPeriods(t, db, home, current, "2024-03-01", "2024-04-30", "month")
	copies := map[string]string{}
	for _, p := range plans {
		name := "as " + p.Name
		id := reporttest.AddSite(t, db, name, "Australia/Adelaide")
		reporttest.Load(t, db, id, 30*time.Minute, rows)
		reporttest.AddPeriods(t, db, id, p, "2024-03-01", "2024-04-30", "month")
		copies[p.Name] = name
	}
	// A copy without billing periods: priced in calendar months, which
	// here are the same dates.
	bare := reporttest.AddSite(t, db, "bare", "Australia/Adelaide")
	reporttest.Load(t, db, bare, 30*time.Minute, rows)

	sizes := []battery.Config{{CapacityWh: 3000, Efficiency: 0.9}, {CapacityWh: 6000, Efficiency: 0.9}, {CapacityWh: 10000, Efficiency: 0.9}}
	price := Price{PerKWh: 800 * models.Unit}
	rate := 0.05
	base := Options{Site: "home", Batteries: sizes, Price: &price, DiscountRate: &rate}
	ctx := context.Background()
	names := []string{"Cheap flat", "TOU demand", "High feed-in"}

	mark := log.len()
	cmp, err := ComputeComparison(ctx, db, CompareOptions{Options: base, Tariffs: names})
	if err != nil {
		t.Fatal(err)
	}
	stmts := log.since(mark)
	if n := readsOfSummary(stmts); n != 1 {
		t.Errorf("compare of 3 plans × 3 batteries read summary %d times, want once:\n%s", n, strings.Join(stmts, "\n"))
	}
	// Batteries add no statement at all: the same comparison with one size
	// sends exactly as many.
	mark = log.len()
	one := base
	one.Batteries = sizes[:1]
	if _, err := ComputeComparison(ctx, db, CompareOptions{Options: one, Tariffs: names}); err != nil {
		t.Fatal(err)
	}
	if n := len(log.since(mark)); n != len(stmts) {
		t.Errorf("1 battery sent %d statements, 3 batteries %d: want the same", n, len(stmts))
	}

	if cmp.Boundaries != BillingPeriodBoundaries || cmp.Current == nil || !cmp.Current.Current || len(cmp.Plans) != 3 {
		t.Fatalf("comparison: boundaries %q, current %v, %d plans", cmp.Boundaries, cmp.Current, len(cmp.Plans))
	}
	// The current plan is the site's own battery report.
	own, err := Compute(ctx, db, base)
	if err != nil {
		t.Fatal(err)
	}
	sameReport(t, "current", cmp.Current.Report, own)

	seen := map[string]bool{}
	for i, p := range cmp.Plans {
		if i > 0 && p.YearlyCost < cmp.Plans[i-1].YearlyCost {
			t.Errorf("plan %q (%s a year) ranked after %q (%s)", p.Name, p.YearlyCost, cmp.Plans[i-1].Name, cmp.Plans[i-1].YearlyCost)
		}
		seen[p.Name] = true
		opts := base
		opts.Site = copies[p.Name]
		want, err := Compute(ctx, db, opts)
		if err != nil {
			t.Fatal(err)
		}
		sameReport(t, p.Name, p.Report, want)
		// The comparison's own figures, by hand from the battery report.
		if y := perYear(want.Results[0].BaselineCost, want.DaysPriced); p.YearlyCost != y {
			t.Errorf("%s: yearly cost %s, want %s", p.Name, p.YearlyCost, y)
		}
		if want.Best >= 0 {
			if y := perYear(want.Results[want.Best].Cost, want.DaysPriced); p.BestYearlyCost != y {
				t.Errorf("%s: yearly cost with the best battery %s, want %s", p.Name, p.BestYearlyCost, y)
			}
		}
		if s := cmp.Current.YearlyCost - p.YearlyCost; p.SavingsVsCurrent == nil || *p.SavingsVsCurrent != s {
			t.Errorf("%s: savings against the current plan %v, want %s", p.Name, p.SavingsVsCurrent, s)
		}

		// Without billing periods, calendar months: here the same bills.
		alone, err := ComputeComparison(ctx, db, CompareOptions{Options: func() Options { o := base; o.Site = "bare"; return o }(), Tariffs: []string{p.Name}})
		if err != nil {
			t.Fatal(err)
		}
		if alone.Boundaries != CalendarMonthBoundaries || alone.Current != nil || len(alone.Plans) != 1 {
			t.Fatalf("bare site: boundaries %q, current %v", alone.Boundaries, alone.Current)
		}
		sameReport(t, p.Name+" in calendar months", alone.Plans[0].Report, want)
	}
	if len(seen) != 3 {
		t.Errorf("plans %v, want the three named", seen)
	}
	// The plans differ, or equal cells would prove little.
	if cmp.Plans[0].YearlyCost == cmp.Plans[2].YearlyCost || cmp.Plans[0].Report.Results[1].Savings == cmp.Plans[2].Report.Results[1].Savings {
		t.Error("the plans price the data alike: the test proves little")
	}
	if cmp.Current.Report.Results[0].Periods[1].Days != 20 || cmp.Current.Report.Results[0].Periods[1].PeriodDays != 30 {
		t.Errorf("April: %d of %d days, want 20 of 30", cmp.Current.Report.Results[0].Periods[1].Days, cmp.Current.Report.Results[0].Periods[1].PeriodDays)
	}

	// --all-tariffs takes the current tariff too.
	all, err := ComputeComparison(ctx, db, CompareOptions{Options: base, AllTariffs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Plans) != 4 {
		t.Errorf("--all-tariffs: %d plans, want 4", len(all.Plans))
	}
}

// sameReport checks that a plan's report in a comparison holds the same
// figures as a battery report: every battery, every bill.
func sameReport(t *testing.T, name string, got, want *Report) {
	t.Helper()
	if got.DaysPriced != want.DaysPriced || got.Best != want.Best || len(got.Results) != len(want.Results) {
		t.Fatalf("%s: %d days, best %d, %d results; battery report %d days, best %d, %d results",
			name, got.DaysPriced, got.Best, len(got.Results), want.DaysPriced, want.Best, len(want.Results))
	}
	for i, g := range got.Results {
		w := want.Results[i]
		if g.BaselineCost != w.BaselineCost || g.Cost != w.Cost || g.Savings != w.Savings || g.SavingsPerYear != w.SavingsPerYear ||
			!(g.PaybackYears == w.PaybackYears || math.IsNaN(g.PaybackYears) && math.IsNaN(w.PaybackYears)) ||
			(g.NPV == nil) != (w.NPV == nil) || g.NPV != nil && *g.NPV != *w.NPV {
			t.Errorf("%s, %s: baseline %s cost %s savings %s per year %s payback %v; battery report %s %s %s %s %v",
				name, g.Label, g.BaselineCost, g.Cost, g.Savings, g.SavingsPerYear, g.PaybackYears,
				w.BaselineCost, w.Cost, w.Savings, w.SavingsPerYear, w.PaybackYears)
		}
		if len(g.Periods) != len(w.Periods) {
			t.Fatalf("%s, %s: %d periods, battery report %d", name, g.Label, len(g.Periods), len(w.Periods))
		}
		for j, gp := range g.Periods {
			wp := w.Periods[j]
			if !gp.Start.Equal(wp.Start) || gp.Days != wp.Days || gp.BaselineCosts != wp.BaselineCosts || gp.Costs != wp.Costs {
				t.Errorf("%s, %s, period %s: %+v; battery report %+v", name, g.Label, gp.Start.Format(time.DateOnly), gp, wp)
			}
		}
	}
	if got.Results[0].Savings <= 0 {
		t.Errorf("%s: the first battery saves %s; the comparison would not notice swapped columns", name, got.Results[0].Savings)
	}
}
