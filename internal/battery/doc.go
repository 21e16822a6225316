// Package battery answers "what would a home battery have done?" from
// metered interval data, without a database.
//
// The input is the household's grid connection as metered: per interval,
// the energy imported and the surplus exported. A battery takes surplus
// that would have been exported and gives it back later instead of
// importing, losing some on the way. The output per interval is the new
// import and export, the stored energy, the energy charged and
// discharged and the losses; per configuration, totals over the run.
//
// # Two models
//
// [ModelSeed] repeats, operation for operation, the generator from the
// seed article "Modelling a residential battery in Postgres": all
// capacity usable, no power limits, the round-trip efficiency charged
// entirely on discharge, time ignored. It is kept so results can be
// checked to the Wh against that generator and against the SQL function
// that reproduces it; the golden test holds it to 1e-9 Wh on a real year.
//
// [ModelFull] adds what makes a battery look less good than the seed's:
// a usable state-of-charge window, charge and discharge power limits
// that scale with each interval's real length, separate charge and
// discharge efficiencies (by default the square root of the round trip
// each way), standby drain and self-discharge, an initial charge and
// linear capacity fade with throughput. [Config.Convention] spells out
// the efficiency convention and what the capacity means, for reports.
//
// # Controlled load
//
// Some sites meter a controlled load: off-peak hot water (or a pool pump)
// switched by the network on a timer, wired to a meter element of its
// own. A home battery sits on the general circuit, behind the main
// switchboard's general meter element, and cannot supply that circuit. So
// both models work on the general import, Import − [Interval].ControlledLoad,
// and add the controlled load back to the import they return: it is
// imported the same with and without a battery, and a battery never
// saves on it. The SQL twin of the seed model (battery_status) applies
// the same rule, so the two stay equal on any site.
//
// For the seed model this is the seed's own input: its generator was fed
// the household's general import only. The Ausgrid year its golden test
// uses is general consumption (GC) and generation (GG); the release's
// controlled-load column (CL), when a household has one, is a circuit of
// its own. Imported with that column, the data's import is GC − GG plus
// CL, the general import the battery sees is GC − GG again, and the seed
// model matches the generator to the Wh as before.
//
// # Streaming and sweeps
//
// [Run] reads a [Source] once and feeds every interval to any number of
// [Simulator]s, one per [Config], so a sweep of fifty battery sizes costs
// one pass over the data, and memory does not grow with the data. What
// each configuration did in each interval goes to a [Sink]; callers
// aggregate there (the report prices each billing period as it goes)
// rather than collecting intervals. The [Report] carries the totals of
// each configuration.
//
// # Gaps and missing values
//
// Data has holes: power cuts, inverters off for panel cleaning, meters
// replaced. The seed's recursive view stopped at the first one. Here a
// jump in time beyond the end of the previous interval is a gap: every
// battery waits, paying only standby loss, and the report counts the
// gaps and their length. The interval length is each interval's
// Duration or, when absent, the most common spacing among the first
// intervals. A missing value (NaN, for SQL NULL) is never acted on: the
// battery does not charge from an export nobody measured, and the output
// for it stays missing, as the seed's generator passes None through.
package battery
