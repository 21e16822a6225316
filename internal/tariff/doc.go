// Package tariff prices grid energy under a household's tariffs and billing
// periods.
//
// A tariff is made of components, each a distinct table with its own
// columns and constraints (daily supply charge, usage rate, feed-in rate,
// demand charge). The tariff_components view unions them as (model, id,
// tariff_id, data jsonb), so [Load] reads every component of every tariff a
// site uses in one query, and [Registry] rebuilds each row as its own Go type
// ([DailySupplyCharge], [UsageRate], [FeedInRate], [DemandCharge], ...) carrying
// its own validation and pricing method. Adding a component type takes a
// table, a model, one [Kind] in [Components] and one branch of the view.
//
// Pricing streams: a [Pricer] holds the site's billing periods and compiled
// tariffs; [Pricer.Locate] places an interval once (local day in the site's
// time zone, billing period, the time-of-use windows it falls in) and any
// number of [Accumulator]s — the data without a battery and each battery
// configuration — add their energies for it. Memory is per day and per
// period, never per interval. [Accumulator.Result] prices each day once per
// component in exact nano-units of currency ([models.Money]), so totals are
// exact sums rounded to the cent only when shown.
//
// Plans for `solarview tariff add --file` are JSON: solarview's own format,
// in the spirit of the Australian Consumer Data Right energy-plan schema, or
// a CDR EnergyPlanDetail document exactly as a retailer publishes it.
// [ReadPlan] tells them apart, adds GST to CDR charges, applies the
// conditions the user assumes ([PlanOptions]), lists what it does not price
// ([Plan].Unpriced) and reports problems with their JSON path. Beyond the
// four first component types, plans give [BlockRate] (stepped usage per day
// or billing period) and [PercentDiscount]; windows may name public
// holidays, which come from the site's [Holidays] calendar (loaded by
// [LoadPricer]; [Pricer.HolidayWarning] says when it is missing), and may be
// read on NEM time (UTC+10) rather than the site's clock.
package tariff
