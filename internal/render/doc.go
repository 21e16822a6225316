// Package render shows the reports package report computes: what
// `solarview battery`, `compare` and `demo` print and draw.
//
// report returns data ([report.Report], [report.Comparison],
// [report.Fleet]) and knows nothing of terminals, tables or files; this
// package turns that data into a table for a person, CSV or JSON for a
// program (whose field names are a contract, see design.md), and SVG or PNG
// charts: [Write], [WriteComparison], [WriteFleet], [DrawChart],
// [DrawComparisonChart]. The notes under a table (gaps, channels missing
// for a while, bills priced on part of their days, power limits, the
// payback convention) are written here too, from the facts the report
// holds.
//
// Money is shown as the report holds it, rounded to the cent once: a
// period's amounts are its bills, totals the report's sums of them, so
// every table adds up.
package render
