package views

import "github.com/uptrace/bun"

// The battery views are the seed article's "what would a battery have saved"
// views, over the battery_status PL/pgSQL function (migration
// 20261121190400_battery_status), which replays the seed's battery
// generator over summary for one site.
//
//   - daily_summary_battery (materialized): per site and local date (in the
//     site's own time zone, like daily_summary), the grid import and export
//     the site would have had with the seed's battery: 13.5 kWh, 90%
//     round-trip efficiency applied on discharge, all capacity usable and no
//     power limits — a Tesla Powerwall 2 as the seed modelled it. The size is
//     fixed because a view has no parameters; for other sizes, other models
//     and sweeps use `solarview battery`, which runs the same seed model in
//     Go (and a fuller one) without storing anything.
//
//     It is materialized because the function walks every interval of every
//     site in order (about 0.5 s per site-year) and the cost views read it
//     once per billing period. It is created WITH DATA, so the views over it
//     work as soon as the migration ran (on a fresh database that costs
//     nothing), but it is a snapshot: after importing data, run
//     `solarview refresh daily_summary_battery` (or plain `solarview
//     refresh`). The unique index on (site_id, date) lets
//     `refresh --concurrently` refresh it without blocking readers.
//
//   - daily_battery_cost: daily_cost's flat-tariff price of each day, for the
//     battery's import and export; NULL cost for tariffs that are not flat.
//
//   - billing_period_battery_costs: daily_battery_cost summed per billing
//     period, like billing_period_costs.
//
//   - billing_period_battery_savings: per billing period, the cost without
//     the battery (billing_period_costs), with it, and the difference.
func init() {
	Register(View{
		Name:         "daily_summary_battery",
		Query:        dailySummaryBattery,
		Materialized: true,
		Indexes: []Index{
			{Name: "daily_summary_battery_site_date_idx", Columns: []string{"site_id", "date"}, Unique: true},
		},
	})
	Register(View{Name: "daily_battery_cost", Query: dailyBatteryCost})
	Register(View{Name: "billing_period_battery_costs", Query: billingPeriodBatteryCosts})
	Register(View{Name: "billing_period_battery_savings", Query: billingPeriodBatterySavings})
}

// The battery daily_summary_battery simulates: the seed's Powerwall.
const (
	// SeedBatteryCapacityWh is daily_summary_battery's battery capacity.
	SeedBatteryCapacityWh = 13500.0
	// SeedBatteryEfficiency is its round-trip efficiency.
	SeedBatteryEfficiency = 0.9
)

func dailySummaryBattery(db *bun.DB) *bun.SelectQuery {
	localDate := bun.SafeQuery("(b.? AT TIME ZONE site.timezone)::date", bun.Ident("timestamp"))
	imp, exp := bun.Ident("import"), bun.Ident("export")
	return db.NewSelect().
		TableExpr("sites AS site").
		// LATERAL: the function runs once per site, over that site's data.
		Join("CROSS JOIN LATERAL battery_status(site.id, ?::double precision, ?::double precision) AS b",
			SeedBatteryCapacityWh, SeedBatteryEfficiency).
		ColumnExpr("site.id AS site_id").
		ColumnExpr("? AS ?", localDate, bun.Ident("date")).
		ColumnExpr("sum(b.?) AS ?", imp, imp).
		ColumnExpr("sum(b.?) AS ?", exp, exp).
		GroupExpr("site.id, ?", localDate)
}

func dailyBatteryCost(db *bun.DB) *bun.SelectQuery {
	return pricedDays(db, "daily_summary_battery")
}

func billingPeriodBatteryCosts(db *bun.DB) *bun.SelectQuery {
	return periodTotals(db, "daily_battery_cost")
}

func billingPeriodBatterySavings(db *bun.DB) *bun.SelectQuery {
	// Both sides cover the same days: the battery's days are summary's
	// days, one battery_status row per summary row. A billing period
	// belongs to one site, so site_id adds no condition; it is in the join
	// so that, like every join between site tables, it stays within one
	// site's shard when the tables are distributed by site_id (README,
	// "Beyond one machine").
	return db.NewSelect().
		TableExpr("billing_period_costs AS c").
		Join("JOIN billing_period_battery_costs AS b ON b.site_id = c.site_id AND b.billing_period_id = c.billing_period_id").
		ColumnExpr("c.site_id").
		ColumnExpr("c.billing_period_id").
		ColumnExpr("c.period").
		ColumnExpr("c.tariff_id").
		ColumnExpr("c.cost").
		ColumnExpr("b.cost AS battery_cost").
		ColumnExpr("c.cost - b.cost AS savings")
}
