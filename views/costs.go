package views

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/solarview/solarview/models"
)

// The cost views price daily_summary in SQL, as the seed's cost views did,
// for FLAT tariffs: a daily supply charge, one usage rate and one feed-in
// rate that apply at all times. Time-of-use, seasonal and demand pricing
// needs each interval, not daily totals, and is done in Go by package tariff
// (`solarview battery` uses it); for such tariffs these views give a NULL
// cost rather than a wrong one. Money is exact numeric in currency units,
// not rounded: round when showing it.
//
//   - tariff_flat_rates: per tariff, the summed supply charge, usage rate
//     and feed-in rate, and whether the tariff is flat. It reads the
//     tariff_components view, so a component type added later makes a
//     tariff non-flat without changing this view.
//   - daily_cost: per site and local date with data, the billing period
//     containing the date and the day's cost:
//     supply + usage × import kWh − feed-in × export kWh.
//   - billing_period_costs: daily_cost summed per billing period (days with
//     data only).
func init() {
	Register(View{Name: "tariff_flat_rates", Query: tariffFlatRates})
	Register(View{Name: "daily_cost", Query: dailyCost})
	Register(View{Name: "billing_period_costs", Query: billingPeriodCosts})
}

func tariffFlatRates(db *bun.DB) *bun.SelectQuery {
	// A rate is flat when its row has no window: no weekdays, no times, no
	// season and no public holiday rule (SQL NULLs are JSON nulls in
	// to_jsonb, and ->> maps those back to NULL). A supply charge is flat
	// without a season. Block rates, demand charges and discounts are
	// never flat, nor is anything for the controlled-load circuit:
	// daily_summary does not tell its energy apart.
	windowless := bun.SafeQuery(
		"c.data ->> 'weekdays' IS NULL AND c.data ->> 'start_time' IS NULL AND c.data ->> 'season_start' IS NULL" +
			" AND c.data ->> 'public_holidays' IS NULL")
	general := bun.SafeQuery("c.data ->> 'controlled_load' IS DISTINCT FROM 'true'")
	sumOf := func(key, model string) schema.QueryAppender {
		return bun.SafeQuery("coalesce(sum((c.data ->> ?)::numeric) FILTER (WHERE c.model = ?), 0)", key, model)
	}
	return db.NewSelect().
		TableExpr("tariff_components AS c").
		ColumnExpr("c.tariff_id").
		ColumnExpr("? AS supply", sumOf("amount", models.DailySupplyChargeComponent)).
		ColumnExpr("? AS usage", sumOf("rate", models.UsageRateComponent)).
		ColumnExpr("? AS feed_in", sumOf("rate", models.FeedInRateComponent)).
		ColumnExpr("bool_and((c.model = ? AND c.data ->> 'season_start' IS NULL OR c.model IN (?, ?) AND ?) AND ?) AS flat",
			models.DailySupplyChargeComponent, models.UsageRateComponent, models.FeedInRateComponent, windowless, general).
		GroupExpr("c.tariff_id")
}

func dailyCost(db *bun.DB) *bun.SelectQuery { return pricedDays(db, "daily_summary") }

// pricedDays prices each day of days, a daily view with (site_id, date,
// import, export), under the flat tariff of the billing period containing
// the day. daily_cost prices the data as it is, daily_battery_cost the
// seed battery's days: one formula, so the two can only differ by their data.
func pricedDays(db *bun.DB, days string) *bun.SelectQuery {
	imp, exp := bun.Ident("import"), bun.Ident("export")
	return db.NewSelect().
		TableExpr("? AS d", bun.Ident(days)).
		Join("JOIN billing_periods AS bp ON bp.site_id = d.site_id AND d.? <@ bp.period", bun.Ident("date")).
		Join("LEFT JOIN tariff_flat_rates AS r ON r.tariff_id = bp.tariff_id").
		ColumnExpr("d.site_id").
		ColumnExpr("d.?", bun.Ident("date")).
		ColumnExpr("bp.id AS billing_period_id").
		ColumnExpr("bp.period").
		ColumnExpr("bp.tariff_id").
		ColumnExpr("d.?", imp).
		ColumnExpr("d.?", exp).
		// A site that records no export (no PV) has NULL export: it exported
		// nothing. A tariff without components has no flat rates: NULL.
		ColumnExpr("CASE WHEN r.flat THEN r.supply"+
			" + r.usage * coalesce(d.?, 0)::numeric / 1000"+
			" - r.feed_in * coalesce(d.?, 0)::numeric / 1000 END AS cost", imp, exp)
}

func billingPeriodCosts(db *bun.DB) *bun.SelectQuery { return periodTotals(db, "daily_cost") }

// periodTotals sums a priced-days view (see pricedDays) per billing period.
func periodTotals(db *bun.DB, pricedDays string) *bun.SelectQuery {
	imp, exp := bun.Ident("import"), bun.Ident("export")
	return db.NewSelect().
		TableExpr("? AS c", bun.Ident(pricedDays)).
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
