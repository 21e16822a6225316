package tariff

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

// TestSQLCostViewsAgreeWithGo prices two months of meter data — across the
// end of daylight saving in Sydney and a change of flat tariff — with the
// SQL views (daily_cost, billing_period_costs) and with the Go pricer fed
// from the summary view, and requires the same cents for every day and
// every billing period. A time-of-use tariff gets NULL costs in SQL.
func TestSQLCostViewsAgreeWithGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	site := &models.Site{Name: "home", TimeZone: "Australia/Sydney"}
	if _, err := db.NewInsert().Model(site).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	flatA := &Tariff{Name: "Flat A", Retailer: "R", Components: []Component{
		supply(t, "1.0523"), usage(t, "", "0.2871", models.TariffWindow{}), feedIn(t, "", "0.065", models.TariffWindow{}),
	}}
	flatB := &Tariff{Name: "Flat B", Retailer: "R", Components: []Component{
		supply(t, "0.99"), usage(t, "", "0.3333333", models.TariffWindow{}),
	}}
	tou := &Tariff{Name: "TOU", Retailer: "R", Components: touTariff(t)}
	for _, tr := range []*Tariff{flatA, flatB, tou} {
		if err := SaveTariff(ctx, db, Components, tr); err != nil {
			t.Fatal(err)
		}
	}
	add := func(tr *Tariff, from, through, every string) {
		t.Helper()
		ranges, err := SplitPeriods(date(from), date(through), every)
		if err != nil {
			t.Fatal(err)
		}
		if err := AddBillingPeriods(ctx, db, site.ID, site.Name, tr.ID, ranges); err != nil {
			t.Fatal(err)
		}
	}
	add(flatA, "2025-03-15", "2025-04-14", "")
	add(flatB, "2025-04-15", "2025-05-14", EveryMonth)
	add(tou, "2025-05-15", "2025-05-31", "")

	// Five-minute meter data in local time, 2025-03-20 to 2025-05-20, with
	// energies that are not exact binary fractions.
	for _, dir := range []struct{ name, channel, expr string }{
		{"import", "E1", "((n * 7919) % 2000) / 10.0 + 0.1"},
		{"export", "B1", "CASE WHEN extract(hour FROM ts AT TIME ZONE 'Australia/Sydney') BETWEEN 8 AND 16 THEN ((n * 104729) % 1500) / 10.0 ELSE 0 END"},
	} {
		_, err := db.ExecContext(ctx, `
			INSERT INTO meter_intervals (site_id, channel, direction, "timestamp", duration, energy)
			SELECT ?, ?, ?, ts, '5 minutes', `+dir.expr+`
			FROM generate_series(
				'2025-03-20 00:00'::timestamp AT TIME ZONE 'Australia/Sydney',
				'2025-05-20 23:55'::timestamp AT TIME ZONE 'Australia/Sydney',
				'5 minutes') WITH ORDINALITY AS g(ts, n)`,
			site.ID, dir.channel, dir.name)
		if err != nil {
			t.Fatal(err)
		}
	}

	// Go: stream the summary view, as the battery report does.
	p, err := LoadPricer(ctx, db, Components, site)
	if err != nil {
		t.Fatal(err)
	}
	acc := p.NewAccumulator()
	rows, err := db.QueryContext(ctx, `SELECT "timestamp", import, export FROM summary WHERE site_id = ? ORDER BY "timestamp"`, site.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var ts time.Time
		var imp, exp sql.NullFloat64
		if err := rows.Scan(&ts, &imp, &exp); err != nil {
			t.Fatal(err)
		}
		acc.AddAt(ts, nullNaN(imp), nullNaN(exp))
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	// 62 days of 288 intervals, plus the hour that 6 April repeats.
	if n != 62*288+12 {
		t.Fatalf("summary has %d rows", n)
	}
	res := mustResult(t, acc)

	// SQL, rounded to the cent by PostgreSQL.
	var sqlDays []struct {
		Date time.Time      `bun:"date"`
		Cost sql.NullString `bun:"cost"`
	}
	if err := db.NewSelect().Table("daily_cost").
		ColumnExpr(`"date", round(cost, 2)::text AS cost`).Where("site_id = ?", site.ID).
		Order("date").Scan(ctx, &sqlDays); err != nil {
		t.Fatal(err)
	}
	goDays := map[string]DayCost{}
	for _, pc := range res.Periods {
		for _, d := range pc.Days {
			goDays[d.Date.Format(time.DateOnly)] = d
		}
	}
	if len(sqlDays) != len(goDays) || len(sqlDays) != 62 {
		t.Fatalf("SQL has %d days, Go %d; want 62", len(sqlDays), len(goDays))
	}
	flatDays := 0
	for _, sd := range sqlDays {
		key := sd.Date.Format(time.DateOnly)
		gd := goDays[key]
		if key >= "2025-05-15" {
			if sd.Cost.Valid {
				t.Errorf("%s: the time-of-use tariff has SQL cost %s, want NULL", key, sd.Cost.String)
			}
			continue
		}
		flatDays++
		if !sd.Cost.Valid || sd.Cost.String != gd.Costs.Total().FormatCents() {
			t.Errorf("%s: SQL %v, Go %s", key, sd.Cost, gd.Costs.Total().FormatCents())
		}
	}
	if flatDays != 56 {
		t.Errorf("%d flat days compared, want 56", flatDays)
	}
	if d := goDays["2025-04-06"]; d.Intervals != 300 {
		t.Errorf("2025-04-06 has %d intervals in Go, want 300 (25 hours)", d.Intervals)
	}

	var sqlPeriods []struct {
		ID   int64          `bun:"billing_period_id"`
		Days int            `bun:"days"`
		Cost sql.NullString `bun:"cost"`
	}
	if err := db.NewSelect().Table("billing_period_costs").
		ColumnExpr("billing_period_id, days, round(cost, 2)::text AS cost").Where("site_id = ?", site.ID).
		OrderExpr("lower(period)").Scan(ctx, &sqlPeriods); err != nil {
		t.Fatal(err)
	}
	if len(sqlPeriods) != len(res.Periods) || len(sqlPeriods) != 3 {
		t.Fatalf("SQL has %d periods with data, Go %d; want 3", len(sqlPeriods), len(res.Periods))
	}
	for i, sp := range sqlPeriods {
		gp := res.Periods[i]
		if sp.ID != gp.Period.ID || sp.Days != gp.DaysWithData {
			t.Errorf("period %d: SQL id %d with %d days, Go id %d with %d", i, sp.ID, sp.Days, gp.Period.ID, gp.DaysWithData)
		}
		if gp.Period.Tariff.Name == "TOU" {
			if sp.Cost.Valid {
				t.Errorf("time-of-use period has SQL cost %s", sp.Cost.String)
			}
			continue
		}
		if !sp.Cost.Valid || sp.Cost.String != gp.Costs.Total().FormatCents() {
			t.Errorf("period %s: SQL %v, Go %s", describePeriod(gp.Period), sp.Cost, gp.Costs.Total().FormatCents())
		}
		t.Logf("period %s (%s): %s over %d days", describePeriod(gp.Period), gp.Period.Tariff.Name, gp.Costs.Total().FormatCents(), gp.DaysWithData)
	}
}

func nullNaN(v sql.NullFloat64) float64 {
	if !v.Valid {
		return math.NaN()
	}
	return v.Float64
}
