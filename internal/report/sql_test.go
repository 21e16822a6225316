package report

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/models"
	"github.com/solarview/solarview/views"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// sqlRow is a row of battery_status; NULL energies are NaN.
type sqlRow struct {
	at                     time.Time
	stored, import_, exprt float64
}

func batteryStatus(t *testing.T, db *bun.DB, siteID int64, capacity, efficiency float64) []sqlRow {
	t.Helper()
	rows, err := db.QueryContext(context.Background(),
		`SELECT "timestamp", stored, import, export FROM battery_status(?, ?, ?)`, siteID, capacity, efficiency)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []sqlRow
	for rows.Next() {
		var r sqlRow
		var imp, exp *float64
		if err := rows.Scan(&r.at, &r.stored, &imp, &exp); err != nil {
			t.Fatal(err)
		}
		r.import_, r.exprt = math.NaN(), math.NaN()
		if imp != nil {
			r.import_ = *imp
		}
		if exp != nil {
			r.exprt = *exp
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// engineOver runs the Go seed model over the site's summary, the way the
// report reads it, and returns each interval's result.
func engineOver(t *testing.T, db *bun.DB, siteID int64, capacity, efficiency float64) ([]time.Time, []battery.Result) {
	t.Helper()
	var ts []time.Time
	var res []battery.Result
	sink := battery.SinkFunc(func(in battery.Interval, out []battery.Result) error {
		ts = append(ts, in.Start)
		res = append(res, out[0])
		return nil
	})
	cfg := battery.Config{Model: battery.ModelSeed, CapacityWh: capacity, Efficiency: efficiency}
	err := streamSummary(context.Background(), db, siteID, span{}, false, func(src battery.Source) error {
		_, err := battery.Run(context.Background(), src, []battery.Config{cfg}, sink, battery.RunOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ts, res
}

// same compares an engine value with the SQL one: both missing, or within
// 1e-9 Wh. exact counts the bit-for-bit equal ones.
func same(got, want float64, exact *int) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	if got == want {
		*exact++
	}
	return math.Abs(got-want) <= 1e-9
}

func compareSQLWithEngine(t *testing.T, db *bun.DB, siteID int64, capacity, efficiency float64) {
	t.Helper()
	sql := batteryStatus(t, db, siteID, capacity, efficiency)
	ts, res := engineOver(t, db, siteID, capacity, efficiency)
	if len(sql) != len(res) || len(sql) == 0 {
		t.Fatalf("capacity %v efficiency %v: battery_status returned %d rows, the engine saw %d intervals", capacity, efficiency, len(sql), len(res))
	}
	exact, bad := 0, 0
	for i, s := range sql {
		g := res[i]
		if !s.at.Equal(ts[i]) || !same(g.Stored, s.stored, &exact) || !same(g.Import, s.import_, &exact) || !same(g.Export, s.exprt, &exact) {
			if bad < 5 {
				t.Errorf("capacity %v efficiency %v row %d: SQL %s stored %v import %v export %v; Go %s stored %v import %v export %v",
					capacity, efficiency, i, s.at, s.stored, s.import_, s.exprt, ts[i], g.Stored, g.Import, g.Export)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("capacity %v efficiency %v: %d of %d rows differ", capacity, efficiency, bad, len(sql))
	}
	t.Logf("capacity %v efficiency %v: %d rows, %d of %d values bit-for-bit equal", capacity, efficiency, len(sql), exact, 3*len(sql))
}

// The SQL function and the Go engine are two implementations of the seed's
// generator; on a real year (17,566 half hours) they must agree interval by
// interval, for several sizes.
func TestBatteryStatusMatchesEngineOnAusgridYear(t *testing.T) {
	t.Parallel()
	rows := reporttest.AusgridYear(t)
	db := dbtest.NewMigratedDB(t)
	site := reporttest.AddSite(t, db, "ausgrid", reporttest.AusgridZone)
	reporttest.Load(t, db, site, 30*time.Minute, rows)
	for _, c := range [][2]float64{{13500, 0.9}, {5000, 0.95}, {20000, 1}, {1, 0.5}} {
		compareSQLWithEngine(t, db, site, c[0], c[1])
	}
}

// Edge cases the real year lacks: NULL readings (a register reset makes the
// import view's energy unknown), zeros, negative readings (truthy, applied
// as they are) and a second site the function must not mix in.
func TestBatteryStatusEdgeCases(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	edges := reporttest.AddSite(t, db, "edges", "UTC")
	other := reporttest.AddSite(t, db, "other", "UTC")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []reporttest.Row
	for i, v := range [][2]float64{ // import, export
		{0, 500}, {100, 0}, {0, 0}, {300, -50}, {-20, 40}, {0, 10000}, {5000, 0}, {1, 1}, {7.25, 0}, {0, 0.125},
	} {
		rows = append(rows, reporttest.Row{Start: start.Add(time.Duration(i) * 30 * time.Minute), Import: v[0], Export: v[1]})
	}
	reporttest.Load(t, db, edges, 30*time.Minute, rows)
	reporttest.Load(t, db, other, 30*time.Minute, rows[:3])

	// A third site metered by registers: the import register goes back at
	// the third reading, so that interval's import is NULL in summary.
	regs := reporttest.AddSite(t, db, "registers", "UTC")
	for i, r := range [][2]float64{{1000, 0}, {1200, 400}, {50, 400}, {300, 900}, {700, 900}, {700, 1000}} {
		at := start.Add(time.Duration(i) * time.Hour)
		for _, q := range []struct {
			table string
			v     float64
		}{{"import_cumulative", r[0]}, {"export_cumulative", r[1]}} {
			if _, err := db.ExecContext(ctx, "INSERT INTO ? (site_id, timestamp, energy) VALUES (?, ?, ?)",
				bun.Ident(q.table), regs, at, q.v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var nulls int
	if err := db.NewRaw("SELECT count(*) FROM summary WHERE site_id = ? AND import IS NULL", regs).Scan(ctx, &nulls); err != nil {
		t.Fatal(err)
	}
	if nulls == 0 {
		t.Fatal("the register site has no NULL import in summary; the test would not cover NULL")
	}

	for _, c := range [][2]float64{{300, 0.9}, {1, 0.5}, {1e6, 1}, {460, 0.8}} {
		compareSQLWithEngine(t, db, edges, c[0], c[1])
		compareSQLWithEngine(t, db, regs, c[0], c[1])
	}
	if got := batteryStatus(t, db, other, 300, 0.9); len(got) != 3 {
		t.Errorf("battery_status for site other returned %d rows, want its 3", len(got))
	}

	// Python truthiness, checked on known values: NULL stays NULL, zero stays
	// zero, and the first export (500 Wh into 300 Wh) leaves 200 exported.
	got := batteryStatus(t, db, edges, 300, 0.9)
	if got[0].stored != 300 || got[0].exprt != 200 || got[0].import_ != 0 {
		t.Errorf("first interval: %+v, want stored 300, export 200, import 0", got[0])
	}
	if got[1].stored != 300-100/0.9 || got[1].import_ != 0 {
		t.Errorf("second interval: %+v, want stored %v import 0", got[1], 300-100/0.9)
	}
	reg := batteryStatus(t, db, regs, 300, 0.9)
	var sawNull bool
	for _, r := range reg {
		sawNull = sawNull || math.IsNaN(r.import_)
	}
	if !sawNull {
		t.Error("battery_status turned the NULL import into a value")
	}
}

func TestBatteryStatusRefusesBadSettings(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	site := reporttest.AddSite(t, db, "s", "UTC")
	for _, c := range []struct {
		capacity, efficiency any
	}{{0, 0.9}, {-1, 0.9}, {"NaN", 0.9}, {"Infinity", 0.9}, {13500, 0}, {13500, 1.01}, {13500, "NaN"}} {
		_, err := db.ExecContext(context.Background(),
			"SELECT * FROM battery_status(?, ?::double precision, ?::double precision)", site, c.capacity, c.efficiency)
		if err == nil {
			t.Errorf("battery_status(capacity %v, efficiency %v) was accepted", c.capacity, c.efficiency)
		}
	}
}

// The seed's SQL cost views and the Go pricing are two ways to price the
// same days under a flat tariff; per billing period they must agree, without
// the battery (billing_period_costs) and with the seed's 13.5 kWh one
// (billing_period_battery_costs, billing_period_battery_savings).
func TestBatteryCostViewsMatchGoPricing(t *testing.T) {
	t.Parallel()
	rows := reporttest.AusgridYear(t)
	db := dbtest.NewMigratedDB(t)
	ctx := context.Background()
	site := reporttest.AddSite(t, db, "ausgrid", reporttest.AusgridZone)
	reporttest.Load(t, db, site, 30*time.Minute, rows)
	tr := reporttest.AddFlatTariff(t, db, "Flat", "1.1", "0.3", "0.05")
	reporttest.AddPeriods(t, db, site, tr, "2011-07-01", "2012-06-30", "quarter")
	if _, err := db.ExecContext(ctx, "REFRESH MATERIALIZED VIEW daily_summary_battery"); err != nil {
		t.Fatal(err)
	}

	var sqlRows []struct {
		Start       time.Time    `bun:"start"`
		Days        int          `bun:"days"`
		Cost        models.Money `bun:"cost"`
		BatteryCost models.Money `bun:"battery_cost"`
		Savings     models.Money `bun:"savings"`
	}
	err := db.NewRaw(`SELECT lower(s.period) AS start, c.days,
	       round(s.cost, 9) AS cost, round(s.battery_cost, 9) AS battery_cost, round(s.savings, 9) AS savings
	  FROM billing_period_battery_savings s
	  JOIN billing_period_battery_costs c USING (billing_period_id)
	 WHERE s.site_id = ?
	 ORDER BY lower(s.period)`, site).Scan(ctx, &sqlRows)
	if err != nil {
		t.Fatal(err)
	}

	rep, err := Compute(ctx, db, Options{Batteries: []battery.Config{{
		Model: battery.ModelSeed, CapacityWh: views.SeedBatteryCapacityWh, Efficiency: views.SeedBatteryEfficiency,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	periods := rep.Results[0].Periods
	if len(sqlRows) != 4 || len(periods) != 4 {
		t.Fatalf("%d billing periods in SQL, %d in Go; want 4 quarters", len(sqlRows), len(periods))
	}
	// Both sides hold exact money; they differ only by how float energies
	// become decimals (SQL casts to 15 digits) and by summation order.
	const tol = models.Money(1000) // a millionth of a currency unit
	near := func(a, b models.Money) bool { return a-b <= tol && b-a <= tol }
	for i, s := range sqlRows {
		p := periods[i]
		if !s.Start.Equal(p.Start) || s.Days != p.Days {
			t.Errorf("period %d: SQL %s with %d days, Go %s with %d days", i, s.Start.Format(time.DateOnly), s.Days, p.Start.Format(time.DateOnly), p.Days)
		}
		// The exact savings: Savings() is the difference of the rounded bills.
		exact := p.BaselineCosts.Total() - p.Costs.Total()
		if !near(s.Cost, p.BaselineCosts.Total()) || !near(s.BatteryCost, p.Costs.Total()) || !near(s.Savings, exact) {
			t.Errorf("period %s: SQL cost %s, with battery %s, savings %s; Go %s, %s, %s", s.Start.Format(time.DateOnly),
				s.Cost, s.BatteryCost, s.Savings, p.BaselineCosts.Total(), p.Costs.Total(), exact)
		}
		if p.Savings() <= 0 {
			t.Errorf("period %s: the battery saved %s; the test would not notice swapped columns", s.Start.Format(time.DateOnly), p.Savings())
		}
	}
}

// With a controlled load, battery_status and the Go engine apply the same
// rule (the battery serves the general circuit only) and still agree
// interval by interval; both match the seed's generator run on the general
// import, with the controlled load imported on top.
func TestBatteryStatusMatchesEngineWithControlledLoad(t *testing.T) {
	t.Parallel()
	rows := reporttest.AusgridYear(t)
	for i := range rows {
		if h := rows[i].Start.Hour(); h < 3 {
			rows[i].ControlledLoad = 1200 // off-peak hot water
		}
	}
	db := dbtest.NewMigratedDB(t)
	site := reporttest.AddSite(t, db, "hot water", reporttest.AusgridZone)
	reporttest.Load(t, db, site, 30*time.Minute, rows)
	plain := reporttest.AddSite(t, db, "no hot water", "UTC")
	day := append([]reporttest.Row(nil), rows[:48]...)
	for i := range day {
		day[i].ControlledLoad = 0
	}
	reporttest.Load(t, db, plain, 30*time.Minute, day)

	ctx := context.Background()
	var cl, nulls int
	if err := db.NewRaw("SELECT count(*) FILTER (WHERE controlled_load > 0), count(*) FILTER (WHERE controlled_load IS NULL) FROM summary WHERE site_id = ?",
		site).Scan(ctx, &cl, &nulls); err != nil {
		t.Fatal(err)
	}
	if cl < 2000 || nulls != 0 {
		t.Fatalf("summary: %d intervals with controlled load, %d NULL; want thousands and none", cl, nulls)
	}
	// The site without the channel: NULL controlled load, import as loaded.
	var imp float64
	if err := db.NewRaw("SELECT count(*) FILTER (WHERE controlled_load IS NULL), sum(import) FROM summary WHERE site_id = ?",
		plain).Scan(ctx, &nulls, &imp); err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, r := range day {
		want += r.Import
	}
	if nulls != 48 || math.Abs(imp-want) > 1e-6 {
		t.Errorf("site without controlled load: %d NULL controlled loads, import %v; want 48 and %v", nulls, imp, want)
	}

	for _, c := range [][2]float64{{13500, 0.9}, {1, 0.5}} {
		compareSQLWithEngine(t, db, site, c[0], c[1])
	}
	gen := reporttest.SeedGenerator(rows, 13500, 0.9)
	sql := batteryStatus(t, db, site, 13500, 0.9)
	bad := 0
	for i, s := range sql {
		if w := gen[i].Import + rows[i].ControlledLoad; math.Abs(s.import_-w) > 1e-9 || math.Abs(s.stored-gen[i].Stored) > 1e-9 {
			if bad < 5 {
				t.Errorf("row %d: battery_status import %v stored %v; generator on the general import %v %v, plus %v Wh of controlled load",
					i, s.import_, s.stored, gen[i].Import, gen[i].Stored, rows[i].ControlledLoad)
			}
			bad++
		}
	}
}
