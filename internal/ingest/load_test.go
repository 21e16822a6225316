package ingest

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
)

// snapshot fingerprints every table an import writes, so a test can tell
// that nothing changed.
func snapshot(t *testing.T, db *bun.DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT count(*)::text || ':' || coalesce(md5(string_agg(id::text || name || coalesce(nmi, '-') || timezone, ',' ORDER BY id)), '') FROM sites`,
		`SELECT count(*)::text || ':' || coalesce(md5(string_agg(concat_ws('|', site_id, channel, direction, "timestamp", duration, energy::text, quality), ',' ORDER BY site_id, channel, "timestamp")), '') FROM meter_intervals`,
		`SELECT count(*)::text || ':' || coalesce(md5(string_agg(concat_ws('|', site_id, "timestamp", energy::text), ',' ORDER BY site_id, "timestamp")), '') FROM generation`,
		`SELECT count(*)::text || ':' || coalesce(md5(string_agg(concat_ws('|', site_id, "timestamp", energy::text), ',' ORDER BY site_id, "timestamp")), '') FROM import_cumulative`,
		`SELECT count(*)::text || ':' || coalesce(md5(string_agg(concat_ws('|', site_id, "timestamp", energy::text), ',' ORDER BY site_id, "timestamp")), '') FROM export_cumulative`,
	} {
		var s string
		if err := db.QueryRowContext(context.Background(), q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func mustImport(t *testing.T, db *bun.DB, path string, opts Options) *Result {
	t.Helper()
	res, err := Import(context.Background(), db, path, opts)
	if err != nil {
		t.Fatalf("import %s: %v", filepath.Base(path), err)
	}
	return res
}

// TestImportNEM12Files imports every real NEM12 test file (package testfiles) and checks,
// per NMI and channel, the stored energy against the file's 300 values times
// the unit factor, and that timestamps are NEM time; then imports it again
// and checks nothing changed.
func TestImportNEM12Files(t *testing.T) {
	t.Parallel()
	for _, path := range sharedGlob(t, "nem12", "*.csv") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := dbtest.NewMigratedDB(t)
			want := expectNEM12(t, path)
			res := mustImport(t, db, path, Options{})
			if res.Format != FormatNEM12 || res.Method != "copy" || res.Inserted != res.Rows || res.Replaced != 0 {
				t.Errorf("first import: %+v", res)
			}
			rows, err := db.QueryContext(ctx, `SELECT s.nmi, m.channel, sum(m.energy), count(*), min(m."timestamp"), max(m."timestamp"),
					min(m.duration), max(m.duration), bool_and(m.direction = CASE left(m.channel, 1) WHEN 'E' THEN 'import' ELSE 'export' END),
					bool_and(extract(epoch FROM m."timestamp" - date_trunc('day', m."timestamp" AT TIME ZONE 'Etc/GMT-10') AT TIME ZONE 'Etc/GMT-10')::bigint % extract(epoch FROM m.duration)::bigint = 0)
				FROM meter_intervals m JOIN sites s ON s.id = m.site_id GROUP BY 1, 2`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			seen := 0
			for rows.Next() {
				var nmi, channel string
				var sum float64
				var n int
				var first, last time.Time
				var minDur, maxDur string
				var dirOK, aligned bool
				if err := rows.Scan(&nmi, &channel, &sum, &n, &first, &last, &minDur, &maxDur, &dirOK, &aligned); err != nil {
					t.Fatal(err)
				}
				key := nmi + "/" + channel
				exact, ok := want.sum[key]
				if !ok {
					t.Errorf("%s: not an E or B channel of the file", key)
					continue
				}
				seen++
				if f, _ := exact.Float64(); sum-f > 1e-6 || f-sum > 1e-6 {
					t.Errorf("%s: %.6f Wh stored, the file's 300 values × unit make %s Wh", key, sum, exact.FloatString(6))
				}
				if n != want.intervals[key] {
					t.Errorf("%s: %d rows, file has %d intervals", key, n, want.intervals[key])
				}
				// The first interval starts at midnight NEM time (UTC+10)
				// of the first day, the last one interval before midnight
				// of the last day.
				firstDay, lastDay := dayRange(want.dates, key)
				step := time.Duration(want.minutes[key]) * time.Minute
				if !first.Equal(firstDay) || !last.Equal(lastDay.Add(24*time.Hour-step)) {
					t.Errorf("%s: intervals from %v to %v, want %v to %v", key, first, last, firstDay, lastDay.Add(24*time.Hour-step))
				}
				if wantDur := fmt.Sprintf("00:%02d:00", want.minutes[key]); minDur != wantDur || maxDur != wantDur {
					t.Errorf("%s: durations %s–%s, want %s", key, minDur, maxDur, wantDur)
				}
				if !dirOK || !aligned {
					t.Errorf("%s: direction ok %v, aligned to NEM-time intervals %v", key, dirOK, aligned)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if seen != len(want.sum) {
				t.Errorf("%d channels stored, the file has %d", seen, len(want.sum))
			}

			before := snapshot(t, db)
			again := mustImport(t, db, path, Options{})
			if again.Inserted != 0 || again.Replaced != 0 || again.Unchanged != again.Rows || again.Method != "merge" {
				t.Errorf("re-import: inserted %d, replaced %d, unchanged %d of %d (%s)", again.Inserted, again.Replaced, again.Unchanged, again.Rows, again.Method)
			}
			if after := snapshot(t, db); after != before {
				t.Errorf("re-import changed the tables:\n%s\n%s", before, after)
			}
		})
	}
}

// dayRange returns midnight NEM time of the first and last 300 dates of key.
func dayRange(dates map[string]bool, key string) (first, last time.Time) {
	for d := range dates {
		if !strings.HasPrefix(d, key+"/") {
			continue
		}
		t, _ := time.ParseInLocation("20060102", strings.TrimPrefix(d, key+"/"), time.FixedZone("NEM", 10*3600))
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	return first, last
}

func TestImportNEM12QualityAndSites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	path := filepath.Join(sharedData(t, "nem12"), "NEM12_Scenario06_ETSAMDP_NEMMCO.csv")
	res := mustImport(t, db, path, Options{})
	// 2005-01-08 is V: intervals 25–48 are E52 on both channels.
	if res.NonActual != 48 || res.IntervalRows != 4*48*2 {
		t.Errorf("non-actual %d of %d, want 48 of 384", res.NonActual, res.IntervalRows)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM meter_intervals WHERE quality = 'E'
		AND "timestamp" >= '2005-01-08 12:00+10' AND "timestamp" < '2005-01-09 00:00+10'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 48 {
		t.Errorf("%d estimated intervals stored, want 48", n)
	}
	if len(res.Sites) != 1 || res.Sites[0].Name != "NEM1206111" || !res.Sites[0].Created || res.Sites[0].TimeZone != DefaultTimeZone {
		t.Errorf("sites %+v", res.Sites)
	}
	// A NEM12 file with --site attaches its NMI to that site.
	db2 := dbtest.NewMigratedDB(t)
	res = mustImport(t, db2, path, Options{Site: "home", TimeZone: "Australia/Adelaide"})
	var name, nmi, tz string
	if err := db2.QueryRowContext(ctx, `SELECT name, nmi, timezone FROM sites`).Scan(&name, &nmi, &tz); err != nil {
		t.Fatal(err)
	}
	if name != "home" || nmi != "NEM1206111" || tz != "Australia/Adelaide" {
		t.Errorf("site %s %s %s", name, nmi, tz)
	}
	// And the NMI then finds that site.
	res = mustImport(t, db2, path, Options{})
	if res.Sites[0].Name != "home" || res.Sites[0].Created || res.Inserted != 0 {
		t.Errorf("second import: sites %+v inserted %d", res.Sites, res.Inserted)
	}
}

// TestImportAusgridYear imports the Ausgrid year through the CSV importer
// and checks that total import, export and generation equal the file's
// totals, net of each half hour, to the Wh — and that the same year in the
// original wide layout stores exactly the same rows.
func TestImportAusgridYear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := sharedData(t, "ausgrid/customer12-2011-2012.csv")
	wantGen, wantImp, wantExp, lines := ausgridTotals(t, path)
	db := dbtest.NewMigratedDB(t)
	res := mustImport(t, db, path, Options{Site: "home"})
	if res.Format != FormatCSV || res.Rows != int64(3*(lines-2)) || res.Inserted != res.Rows {
		t.Errorf("result %+v", res)
	}
	totals := func(site string) (gen, imp, exp float64) {
		t.Helper()
		err := db.QueryRowContext(ctx, `SELECT
				(SELECT sum(energy) FROM generation g JOIN sites s ON s.id = g.site_id WHERE s.name = ?0),
				(SELECT sum(energy) FROM meter_intervals m JOIN sites s ON s.id = m.site_id WHERE s.name = ?0 AND direction = 'import'),
				(SELECT sum(energy) FROM meter_intervals m JOIN sites s ON s.id = m.site_id WHERE s.name = ?0 AND direction = 'export')`,
			site).Scan(&gen, &imp, &exp)
		if err != nil {
			t.Fatal(err)
		}
		return gen, imp, exp
	}
	gen, imp, exp := totals("home")
	for _, c := range []struct {
		name string
		got  float64
		want *big.Rat
	}{{"generation", gen, wantGen}, {"import", imp, wantImp}, {"export", exp, wantExp}} {
		w, _ := c.want.Float64()
		if d := c.got - w; d > 0.001 || d < -0.001 {
			t.Errorf("%s: %.3f Wh stored, the file makes %s Wh", c.name, c.got, c.want.FloatString(3))
		}
	}

	// Idempotent.
	before := snapshot(t, db)
	again := mustImport(t, db, path, Options{Site: "home"})
	if again.Inserted != 0 || again.Replaced != 0 || snapshot(t, db) != before {
		t.Errorf("re-import: inserted %d replaced %d", again.Inserted, again.Replaced)
	}

	// The wide layout of the same year, into its own site.
	wide := filepath.Join(t.TempDir(), "wide.csv")
	if err := os.WriteFile(wide, []byte(toAusgridWide(t, path)), 0o644); err != nil {
		t.Fatal(err)
	}
	res = mustImport(t, db, wide, Options{})
	if res.Format != FormatAusgrid || len(res.Sites) != 1 || res.Sites[0].Name != "ausgrid-12" {
		t.Fatalf("wide import: %+v", res)
	}
	var differ int
	err := db.QueryRowContext(ctx, `WITH a AS (SELECT channel, direction, "timestamp", duration, energy, quality FROM meter_intervals WHERE site_id = ?0),
			b AS (SELECT channel, direction, "timestamp", duration, energy, quality FROM meter_intervals WHERE site_id = ?1),
			ga AS (SELECT "timestamp", energy FROM generation WHERE site_id = ?0),
			gb AS (SELECT "timestamp", energy FROM generation WHERE site_id = ?1)
		SELECT (SELECT count(*) FROM ((TABLE a EXCEPT TABLE b) UNION ALL (TABLE b EXCEPT TABLE a)) d)
			+ (SELECT count(*) FROM ((TABLE ga EXCEPT TABLE gb) UNION ALL (TABLE gb EXCEPT TABLE ga)) d)`,
		again.Sites[0].ID, res.Sites[0].ID).Scan(&differ)
	if err != nil {
		t.Fatal(err)
	}
	if differ != 0 {
		t.Errorf("%d rows differ between the CSV and the wide layout of the same year", differ)
	}
}

// nem12Day writes a one-channel NEM12 file of whole days of equal values.
func nem12Day(t *testing.T, minutes int, days map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("100,NEM12,200505181432,A,B\n")
	fmt.Fprintf(&b, "200,NMI0000001,E1,E1,E1,N1,1,Wh,%d,\n", minutes)
	for _, d := range sortedKeys(days) {
		fmt.Fprintf(&b, "300,%s%s,A,,,,\n", d, strings.Repeat(","+days[d], 1440/minutes))
	}
	b.WriteString("900\n")
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sortedKeys(m map[string]string) []string {
	keys := keys(m)
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

func channelSum(t *testing.T, db *bun.DB) (sum float64, n int) {
	t.Helper()
	if err := db.QueryRowContext(context.Background(), `SELECT coalesce(sum(energy), 0), count(*) FROM meter_intervals`).Scan(&sum, &n); err != nil {
		t.Fatal(err)
	}
	return sum, n
}

// TestImportOverlapReplaces: a newer file replaces the intervals it covers
// and says how many; intervals it does not cover stay.
func TestImportOverlapReplaces(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	mustImport(t, db, nem12Day(t, 30, map[string]string{"20240101": "1", "20240102": "2"}), Options{})
	res := mustImport(t, db, nem12Day(t, 30, map[string]string{"20240102": "3", "20240103": "4"}), Options{})
	if res.Replaced != 48 || res.Inserted != 48 || res.Unchanged != 0 {
		t.Errorf("replaced %d inserted %d unchanged %d; want 48, 48, 0", res.Replaced, res.Inserted, res.Unchanged)
	}
	if sum, n := channelSum(t, db); sum != 48*(1+3+4) || n != 3*48 {
		t.Errorf("stored %v Wh in %d rows, want %v in %d", sum, n, 48*8, 3*48)
	}
	// A partial overlap with some values equal: only the differing count.
	res = mustImport(t, db, nem12Day(t, 30, map[string]string{"20240103": "4", "20240101": "5"}), Options{})
	if res.Replaced != 48 || res.Inserted != 0 || res.Unchanged != 48 {
		t.Errorf("replaced %d inserted %d unchanged %d; want 48, 0, 48", res.Replaced, res.Inserted, res.Unchanged)
	}
}

// TestImportIntervalLengthChange: 30-minute data over a day held as
// 15-minute intervals replaces them all, leaving no stale quarter hours.
func TestImportIntervalLengthChange(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	mustImport(t, db, nem12Day(t, 15, map[string]string{"20240101": "1", "20240102": "1"}), Options{})
	res := mustImport(t, db, nem12Day(t, 30, map[string]string{"20240102": "3"}), Options{})
	if res.Replaced != 96 || res.Inserted != 48 {
		t.Errorf("replaced %d inserted %d; want 96 and 48", res.Replaced, res.Inserted)
	}
	if sum, n := channelSum(t, db); sum != 96*1+48*3 || n != 96+48 {
		t.Errorf("stored %v Wh in %d rows, want %v in %d", sum, n, 96+48*3, 96+48)
	}
	// And back to 5-minute data for part of it.
	res = mustImport(t, db, nem12Day(t, 5, map[string]string{"20240101": "0.5"}), Options{})
	if res.Replaced != 96 || res.Inserted != 288 {
		t.Errorf("replaced %d inserted %d; want 96 and 288", res.Replaced, res.Inserted)
	}
}

// TestImportRepeatedIntervals: a file giving the same day twice keeps the
// later one.
func TestImportRepeatedIntervals(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	in := "100,NEM12,200505181432,A,B\n200,NMI0000001,E1,E1,E1,N1,1,Wh,30,\n" +
		"300,20240101" + strings.Repeat(",1", 48) + ",A,,,,\n" +
		"300,20240101" + strings.Repeat(",2", 48) + ",A,,,,\n900\n"
	p := filepath.Join(t.TempDir(), "dup.csv")
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, db, p, Options{})
	if sum, n := channelSum(t, db); sum != 96 || n != 48 {
		t.Errorf("stored %v Wh in %d rows, want 96 in 48", sum, n)
	}
	if res.Method != "copy" || res.Inserted != 48 || !strings.Contains(strings.Join(res.Notes, "\n"), "more than once") {
		t.Errorf("result %+v", res)
	}
}

// TestImportInvalidChangesNothing: every invalid NEM12 file fails with
// file:line and leaves the database as it was.
func TestImportInvalidChangesNothing(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	mustImport(t, db, nem12Day(t, 30, map[string]string{"20240101": "1"}), Options{})
	before := snapshot(t, db)
	for _, path := range sharedGlob(t, "nem12/invalid", "*") {
		_, err := Import(context.Background(), db, path, Options{})
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != path || pe.Line < 1 {
			t.Errorf("%s: error %v, want file:line: …", filepath.Base(path), err)
		}
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("invalid files changed the database:\n%s\n%s", before, after)
	}
}

// TestImportRollsBackSites: a failure after sites were created (the second
// NMI's site name is taken by another meter) leaves no site behind.
func TestImportRollsBackSites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	if _, err := db.ExecContext(ctx, `INSERT INTO sites (name, nmi) VALUES ('NMIB', 'OTHER')`); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	in := "100,NEM12,200505181432,A,B\n" +
		"200,NMIA,E1,E1,E1,N1,1,Wh,30,\n300,20240101" + strings.Repeat(",1", 48) + ",A,,,,\n" +
		"200,NMIB,E1,E1,E1,N1,1,Wh,30,\n300,20240101" + strings.Repeat(",1", 48) + ",A,,,,\n900\n"
	p := filepath.Join(t.TempDir(), "two.csv")
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Import(ctx, db, p, Options{})
	if err == nil || !strings.Contains(err.Error(), `site "NMIB" has NMI OTHER, but the file is for NMI NMIB`) {
		t.Errorf("error %v", err)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("a failed import changed the database:\n%s\n%s", before, after)
	}
}

func TestImportCSVRegistersAndOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	p := filepath.Join(t.TempDir(), "inverter.csv")
	in := "timestamp,generation,import_register,export_register\n" +
		"2024-01-01 00:00,0,1000,50\n2024-01-01 00:05,10,1000.5,50\n2024-01-01 00:10,20,1000.5,50.25\n"
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, db, p, Options{}); err == nil || !strings.Contains(err.Error(), "--site") {
		t.Errorf("no --site: %v", err)
	}
	if _, err := Import(ctx, db, p, Options{Site: "x", TimeZone: "Mars/Olympus"}); err == nil || !strings.Contains(err.Error(), "unknown time zone") {
		t.Errorf("bad zone: %v", err)
	}
	res := mustImport(t, db, p, Options{Site: "perth", TimeZone: "Australia/Perth", Unit: Wh})
	if res.Rows != 9 || res.Inserted != 9 {
		t.Errorf("result %+v", res)
	}
	var first time.Time
	var reg float64
	if err := db.QueryRowContext(ctx, `SELECT min("timestamp"), max(energy) FROM import_cumulative`).Scan(&first, &reg); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 12, 31, 16, 0, 0, 0, time.UTC); !first.Equal(want) || reg != 1000.5 {
		t.Errorf("import register from %v max %v; want %v and 1000.5 Wh", first, reg, want)
	}
	// The site's zone reads later files when --tz is not given.
	in2 := "timestamp,generation\n2024-01-01 00:15,1\n2024-01-01 00:20,1\n"
	if err := os.WriteFile(p, []byte(in2), 0o644); err != nil {
		t.Fatal(err)
	}
	mustImport(t, db, p, Options{Site: "perth", Unit: Wh})
	var last time.Time
	if err := db.QueryRowContext(ctx, `SELECT max("timestamp") FROM generation`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2023, 12, 31, 16, 20, 0, 0, time.UTC); !last.Equal(want) {
		t.Errorf("last generation at %v, want %v (read in Perth time)", last, want)
	}
}

// TestImportAusgridCustomers: a site per customer, named after --site when
// given, with controlled load on its own import channel.
func TestImportAusgridCustomers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("Customer,Generator Capacity,Postcode,Consumption Category,date")
	for k := 1; k <= 48; k++ {
		fmt.Fprintf(&b, ",%d:%02d", k*30/60%24, k*30%60)
	}
	b.WriteString("\n")
	for _, c := range []string{"7", "9"} {
		for _, cat := range []string{"CL", "GC", "GG"} {
			fmt.Fprintf(&b, "%s,1.5,2000,%s,1/07/2012%s\n", c, cat, strings.Repeat(",0.5", 48))
		}
	}
	p := filepath.Join(t.TempDir(), "ausgrid.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		site string
		want []string
	}{{"", []string{"ausgrid-7", "ausgrid-9"}}, {"street", []string{"street-7", "street-9"}}} {
		db := dbtest.NewMigratedDB(t)
		res := mustImport(t, db, p, Options{Site: tt.site})
		if len(res.Sites) != 2 || res.Sites[0].Name != tt.want[0] || res.Sites[1].Name != tt.want[1] {
			t.Errorf("--site %q: sites %+v, want %v", tt.site, res.Sites, tt.want)
		}
		var cl, imp, exp, gen float64
		err := db.QueryRowContext(ctx, `SELECT
			(SELECT sum(energy) FROM meter_intervals WHERE channel = 'CL' AND direction = 'import'),
			(SELECT sum(energy) FROM meter_intervals WHERE channel = 'import'),
			(SELECT sum(energy) FROM meter_intervals WHERE channel = 'export'),
			(SELECT sum(energy) FROM generation)`).Scan(&cl, &imp, &exp, &gen)
		if err != nil {
			t.Fatal(err)
		}
		// GC equals GG, so the net flows are zero; CL is drawn in full.
		if cl != 2*48*500 || imp != 0 || exp != 0 || gen != 2*48*500 {
			t.Errorf("CL %v, import %v, export %v, generation %v Wh", cl, imp, exp, gen)
		}
	}
}

// TestImportWarnsOfMixedChannels: loading a CSV over a NEM12 import channel
// of the same site says the views will add them up.
func TestImportWarnsOfMixedChannels(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	mustImport(t, db, nem12Day(t, 30, map[string]string{"20240101": "1"}), Options{Site: "home"})
	p := filepath.Join(t.TempDir(), "flows.csv")
	if err := os.WriteFile(p, []byte("timestamp,import\n2024-01-01 00:00,1\n2024-01-01 00:30,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, db, p, Options{Site: "home", TimeZone: "Australia/Brisbane"})
	notes := strings.Join(res.Notes, "\n")
	if !strings.Contains(notes, `site "home" already has import data from channel(s) E1 over the span of channel import`) {
		t.Errorf("notes %q", notes)
	}
	if res.Method != "copy" || res.Inserted != 2 {
		t.Errorf("result %+v", res)
	}
}
