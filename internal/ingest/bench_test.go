package ingest

// Import speed against PostgreSQL's own bulk path, measured in the same run.
//
//	go test ./internal/ingest -run '^$' -bench 'BenchmarkImport' -benchtime 3x -timeout 30m
//
// Each benchmark writes a file, then per iteration imports it into a fresh
// migrated database with Import (both passes: checking and loading), and
// loads the very same rows — produced by the parser, written as CSV — into
// another fresh database with `psql -c "\copy … FROM file CSV"`: into
// per-interval tables as the previous release had them (keys, index,
// foreign key; energy_days holds arrays \copy cannot build) and into a bare
// table without indexes. It reports:
//
//	rows/s           the importer's rows per second (file read twice)
//	psql-rows/s      \copy into the per-interval tables
//	ratio            rows/s ÷ psql-rows/s (the target is ≥ 0.5)
//	ratio-bare       rows/s ÷ \copy into a bare unindexed table
//	peak-heap-MB     the largest live heap sampled during the import
//	maxrss-MB        the process's peak RSS so far (run one size alone to
//	                 compare sizes: -bench 'NEM12SiteYears/sites=10$')
//
// The files: the Ausgrid year (GC, GG) upsampled to 5-minute rows as a CSV,
// and NEM12 files of 1 and 10 site-years (an NMI per site, E1 and B1 at 5
// minutes, the Ausgrid year's net flows). psql is taken from the PostgreSQL
// binaries pgserver finds, else PATH.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/pgserver"
)

func BenchmarkImportAusgridYear5min(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "ausgrid-5min.csv")
	writeAusgrid5min(b, path)
	benchImport(b, path, Options{Site: "bench"}, 1)
}

func BenchmarkImportNEM12SiteYears(b *testing.B) {
	for _, sites := range []int{1, 10} {
		b.Run(fmt.Sprintf("sites=%d", sites), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "nem12.csv")
			writeNEM12SiteYears(b, path, sites)
			benchImport(b, path, Options{}, sites)
		})
	}
}

// benchImport times Import against psql \copy of the same rows.
func benchImport(b *testing.B, path string, opts Options, sites int) {
	psql := findPSQL(b)
	tables := baselineCSVs(b, path, opts)
	var rows int64
	for _, t := range tables {
		rows += t.rows
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(fi.Size())
	var importTime, psqlTime, bareTime time.Duration
	var peak uint64
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := dbtest.NewMigratedDB(b)
		runtime.GC()
		stop := samplePeakHeap(&peak)
		b.StartTimer()
		start := time.Now()
		res, err := Import(ctx, db, path, opts)
		importTime += time.Since(start)
		b.StopTimer()
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if res.Inserted != rows || res.Method != "copy" {
			b.Fatalf("imported %d rows by %s, want %d by copy", res.Inserted, res.Method, rows)
		}
		db.Close()

		// The same rows through psql, into per-interval tables as the
		// previous release stored them (energy_days holds arrays, which
		// \copy cannot build)...
		dsn := dbtest.NewDatabase(b, true)
		runSQL(b, dsn, sitesSQL(sites)+perIntervalTables)
		psqlTime += timePSQL(b, psql, dsn, tables, "old_")
		// ...and into bare tables without indexes or keys.
		dsn = dbtest.NewDatabase(b, true)
		ddl := strings.Builder{}
		ddl.WriteString(perIntervalTables)
		for _, t := range tables {
			fmt.Fprintf(&ddl, "CREATE TABLE bare_%s (LIKE old_%s);", t.table, t.table)
		}
		runSQL(b, dsn, ddl.String())
		bareTime += timePSQL(b, psql, dsn, tables, "bare_")
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N) * float64(rows)
	ours, theirs, bare := n/importTime.Seconds(), n/psqlTime.Seconds(), n/bareTime.Seconds()
	b.ReportMetric(ours, "rows/s")
	b.ReportMetric(theirs, "psql-rows/s")
	b.ReportMetric(ours/theirs, "ratio")
	b.ReportMetric(ours/bare, "ratio-bare")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB") // Linux reports KiB
	}
	b.ReportMetric(float64(rows), "rows")
}

// samplePeakHeap records the largest live heap until stop is called.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

type baselineTable struct {
	table   string
	columns string
	path    string
	rows    int64
}

// baselineCSVs parses the file with the importer's own parser and writes
// its rows as CSV files psql can \copy, site ids numbered from 1 in the
// order the importer creates them.
func baselineCSVs(b *testing.B, path string, opts Options) []baselineTable {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	loc, _ := time.LoadLocation(DefaultTimeZone)
	src, err := Open(f, path, FormatAuto, Config{Location: loc, Unit: opts.Unit})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	tables := map[Kind]*baselineTable{
		KindInterval:   {table: "meter_intervals", columns: `site_id, channel, direction, "timestamp", duration, energy, quality`, path: filepath.Join(dir, "mi.csv")},
		KindGeneration: {table: "generation", columns: `site_id, "timestamp", energy`, path: filepath.Join(dir, "gen.csv")},
	}
	writers := map[Kind]*bufio.Writer{}
	for k, t := range tables {
		out, err := os.Create(t.path)
		if err != nil {
			b.Fatal(err)
		}
		defer out.Close()
		writers[k] = bufio.NewWriterSize(out, 1<<20)
	}
	var buf []byte
	for src.Next() {
		r := src.Row()
		w, t := writers[r.Kind], tables[r.Kind]
		if w == nil {
			b.Fatalf("no baseline for %v rows", r.Kind)
		}
		buf = strconv.AppendInt(buf[:0], int64(r.Site+1), 10)
		if r.Kind == KindInterval {
			buf = append(buf, ',')
			buf = append(buf, r.Channel...)
			buf = append(buf, ',')
			buf = append(buf, r.Direction...)
		}
		buf = append(buf, ',')
		buf = r.Start.UTC().AppendFormat(buf, "2006-01-02 15:04:05Z07:00")
		if r.Kind == KindInterval {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(r.Duration/time.Second), 10)
			buf = append(buf, " seconds"...)
		}
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, r.Energy, 'g', -1, 64)
		if r.Kind == KindInterval {
			buf = append(buf, ',', r.Quality)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			b.Fatal(err)
		}
		t.rows++
	}
	if err := src.Err(); err != nil {
		b.Fatal(err)
	}
	var out []baselineTable
	for _, k := range []Kind{KindInterval, KindGeneration} {
		if err := writers[k].Flush(); err != nil {
			b.Fatal(err)
		}
		if tables[k].rows > 0 {
			out = append(out, *tables[k])
		}
	}
	return out
}

// perIntervalTables are the previous release's interval tables, one row per
// interval, with their keys, index and foreign keys: the baseline's target.
const perIntervalTables = `
CREATE TABLE old_generation (
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  "timestamp" timestamptz NOT NULL,
  energy double precision NOT NULL,
  PRIMARY KEY (site_id, "timestamp"));
CREATE TABLE old_meter_intervals (
  site_id bigint NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  channel text NOT NULL, direction text NOT NULL, "timestamp" timestamptz NOT NULL,
  duration interval NOT NULL, energy double precision NOT NULL, quality text NOT NULL DEFAULT 'A',
  PRIMARY KEY (site_id, channel, "timestamp"));
CREATE INDEX ON old_meter_intervals (site_id, direction, "timestamp");`

func sitesSQL(n int) string {
	var s strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&s, "INSERT INTO sites (id, name) VALUES (%d, 'site %d');", i, i)
	}
	return s.String()
}

func findPSQL(b *testing.B) string {
	b.Helper()
	dir, _ := pgserver.FindBinDir()
	p, err := pgserver.PSQL(dir)
	if err != nil {
		b.Skip("psql not found: the baseline needs it")
	}
	return p
}

func runSQL(b *testing.B, dsn, sql string) {
	b.Helper()
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), sql); err != nil {
		b.Fatal(err)
	}
}

// timePSQL loads the baseline files with one psql run, \copy per table, in
// one transaction like the importer.
func timePSQL(b *testing.B, psql, dsn string, tables []baselineTable, prefix string) time.Duration {
	b.Helper()
	args := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", "BEGIN"}
	for _, t := range tables {
		args = append(args, "-c", fmt.Sprintf(`\copy %s%s (%s) FROM '%s' WITH (FORMAT csv)`, prefix, t.table, t.columns, t.path))
	}
	args = append(args, "-c", "COMMIT")
	start := time.Now()
	out, err := exec.Command(psql, args...).CombinedOutput()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("psql: %v\n%s", err, out)
	}
	return d
}

// ausgridLines reads the shared Ausgrid year: local timestamp, GC, GG.
func ausgridLines(b *testing.B) [][3]string {
	b.Helper()
	raw, err := os.ReadFile(sharedData(b, "ausgrid/customer12-2011-2012.csv"))
	if err != nil {
		b.Fatal(err)
	}
	var out [][3]string
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		p := strings.Split(l, ",")
		out = append(out, [3]string{p[0], p[1], p[2]})
	}
	return out
}

func writeAusgrid5min(b *testing.B, path string) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "timestamp,GC,GG")
	for _, l := range ausgridLines(b) {
		t, err := time.Parse(time.DateTime, l[0])
		if err != nil {
			b.Fatal(err)
		}
		gc, _ := strconv.ParseFloat(l[1], 64)
		gg, _ := strconv.ParseFloat(l[2], 64)
		for k := 0; k < 6; k++ {
			fmt.Fprintf(w, "%s,%s,%s\n", t.Add(time.Duration(k)*5*time.Minute).Format(time.DateTime),
				strconv.FormatFloat(gc/6, 'g', -1, 64), strconv.FormatFloat(gg/6, 'g', -1, 64))
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// writeNEM12SiteYears writes a NEM12 file holding the Ausgrid year's net
// import (E1) and export (B1) at 5 minutes for each of sites NMIs.
func writeNEM12SiteYears(b *testing.B, path string, sites int) {
	b.Helper()
	lines := ausgridLines(b)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "100,NEM12,202401010000,BENCH,BENCH")
	for s := 1; s <= sites; s++ {
		for _, ch := range []string{"E1", "B1"} {
			fmt.Fprintf(w, "200,BENCH%05d,E1B1,%s,%s,N1,M1,kWh,5,\n", s, ch, ch)
			for d := 0; d+48 <= len(lines); d += 48 {
				date := strings.ReplaceAll(lines[d][0][:10], "-", "")
				fmt.Fprintf(w, "300,%s", date)
				for _, l := range lines[d : d+48] {
					gc, _ := strconv.ParseFloat(l[1], 64)
					gg, _ := strconv.ParseFloat(l[2], 64)
					imp, exp := netFlows(gc, gg)
					v := imp
					if ch == "B1" {
						v = exp
					}
					v = v * float64(s) / 6
					for k := 0; k < 6; k++ {
						w.WriteByte(',')
						w.WriteString(strconv.FormatFloat(v, 'f', 4, 64))
					}
				}
				fmt.Fprintln(w, ",A,,,20240101000000,")
			}
		}
	}
	fmt.Fprintln(w, "900")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}
