// Package report answers "what would a home battery have saved me?" for a
// site in the database: the logic behind `solarview battery` and the report
// `solarview demo` prints.
//
// One query streams the site's summary rows (timestamp, import, export) in
// time order; [battery.Run] feeds each interval to every battery
// configuration at once, so a sweep of fifty sizes still reads the data
// once; and a sink prices the data without a battery and with each
// configuration under the site's tariffs, billing period by billing period,
// with package tariff. Nothing per interval is kept: memory is one billing
// period's days, whatever the length of the data.
//
// The result ([Report]) holds, per configuration, the cost without and with
// the battery for each billing period, the savings per day and per year
// (over the days priced), the energy shifted and cycles, and, given a price,
// the simple payback and the net present value.
//
// The package only computes: [Compute], [ComputeComparison] and
// [ComputeFleet] return data, and a long run tells a [Progress] callback
// how far it has got. Tables, CSV, JSON, charts and the progress bar are
// package render's, and the command line's units (13.5kWh, 2000+500/kWh)
// are read by the commands: nothing here knows about terminals or output
// formats.
//
// [ComputeComparison] (`solarview compare`) runs the same pass with one
// pricing sink per plan: the site's current billing periods, and each plan
// priced in the same periods (or in calendar months for a site without
// any), so every plan's figures are a [Report] of their own, equal to what
// `battery` gives once the billing periods are on that plan.
//
// Money is exact within a billing period: period costs are exact sums from
// package tariff, rounded to the cent once as the period's bill. Totals are
// sums of bills, so every table adds up.
//
// A report also says what it stands on: each gap in the data with its
// dates, each stretch where one grid channel has no rows while the data
// goes on (found by a small query on the source tables, alongside the
// pass), bills priced on part of their days, the power limits in force and
// the payback convention.
package report
