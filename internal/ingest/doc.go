// Package ingest reads household energy data files — AEMO NEM12 meter data,
// interval CSVs and the Ausgrid "solar home" data set — and loads them into
// solarview's tables.
//
// The package has two halves. The parsers ([NewNEM12], [NewCSV],
// [NewAusgrid], chosen by [Open] from the file's content) are pure Go: they
// stream a file once, in constant memory, and turn it into [Row] values in
// watt-hours with timestamps that label the start of each interval. They
// know nothing of the database, which keeps them fast to test and safe to
// fuzz. Below every parser an eolReader makes line endings uniform (CR LF,
// CR and LF alike) and refuses a line longer than [MaxLineLength], so no
// input can make memory grow. The loader ([Import]) reads a file more than
// once (standard input and pipes are first spooled to a private temporary
// file): a first pass validates it completely and measures what it holds,
// so a malformed file is refused before the database is touched; then the
// rows stream with COPY into a temporary staging table inside one
// transaction, and SQL merges them with what is stored: an interval is
// stored once per site, channel and instant, a restated day replaces that
// day's intervals whatever their length, a reading with a later provider
// update time wins over an older one whatever the import order (without
// update times the later import wins), and re-importing a file changes
// nothing. Imports lock their sites (advisory locks, in id order) so
// concurrent imports of the same sites run one after the other instead of
// deadlocking.
//
// Where the data goes:
//
//   - metered interval energy → energy_days (kind import or export), one
//     row per site, channel and NEM day holding the day's values as an
//     array (the view meter_intervals shows one row per interval): NEM12
//     channels keep their NMI suffix (E1, E2 … import,
//     B1 … export); CSV and Ausgrid flows are channels "import" and
//     "export" (the net of consumption and generation when only those are
//     given) and "CL", the Ausgrid controlled load, an import of its own;
//   - PV generation → energy_days, kind and channel "generation" (view
//     generation);
//   - cumulative register readings (CSV import_register/export_register)
//     → import_cumulative and export_cumulative.
//
// Values are converted to Wh with a single rounding (see parseScaled).
// CSV values may also be average power (W, kW) over each interval: the
// shared Ausgrid year, for one, holds kW, not kWh per half hour.
//
// Errors in a file are reported as [*ParseError], "file:line: what is wrong".
package ingest
