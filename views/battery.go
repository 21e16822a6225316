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
	imp, exp := bun.Ident("import"), bun.Ident("export")
	// The same join and formula as daily_cost (views/costs.go), over the
	// battery's days; the Go-versus-SQL test in internal/report keeps both
	// honest against the Go pricing.
	return db.NewSelect().
		TableExpr("daily_summary_battery AS d").
		Join("JOIN billing_periods AS bp ON bp.site_id = d.site_id AND d.? <@ bp.period", bun.Ident("date")).
		Join("LEFT JOIN tariff_flat_rates AS r ON r.tariff_id = bp.tariff_id").
		ColumnExpr("d.site_id").
		ColumnExpr("d.?", bun.Ident("date")).
		ColumnExpr("bp.id AS billing_period_id").
		ColumnExpr("bp.period").
		ColumnExpr("bp.tariff_id").
		ColumnExpr("d.?", imp).
		ColumnExpr("d.?", exp).
		ColumnExpr("CASE WHEN r.flat THEN r.supply"+
			" + r.usage * coalesce(d.?, 0)::numeric / 1000"+
			" - r.feed_in * coalesce(d.?, 0)::numeric / 1000 END AS cost", imp, exp)
}

func billingPeriodBatteryCosts(db *bun.DB) *bun.SelectQuery {
	imp, exp := bun.Ident("import"), bun.Ident("export")
	return db.NewSelect().
		TableExpr("daily_battery_cost AS c").
		ColumnExpr("c.site_id").
		ColumnExpr("c.billing_period_id").
		ColumnExpr("c.period").
		ColumnExpr("c.tariff_id").
		ColumnExpr("count(*) AS days").
		ColumnExpr("sum(c.?) AS ?", imp, imp).
		ColumnExpr("sum(c.?) AS ?", exp, exp).
		ColumnExpr("sum(c.cost) AS cost").
		GroupExpr("c.site_id, c.billing_period_id, c.period, c.tariff_id")
}

func billingPeriodBatterySavings(db *bun.DB) *bun.SelectQuery {
	// Both sides cover the same days: the battery's days are summary's
	// days, one battery_status row per summary row.
	return db.NewSelect().
		TableExpr("billing_period_costs AS c").
		Join("JOIN billing_period_battery_costs AS b ON b.billing_period_id = c.billing_period_id").
		ColumnExpr("c.site_id").
		ColumnExpr("c.billing_period_id").
		ColumnExpr("c.period").
		ColumnExpr("c.tariff_id").
		ColumnExpr("c.cost").
		ColumnExpr("b.cost AS battery_cost").
		ColumnExpr("c.cost - b.cost AS savings")
}
