package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/dbtest"
)

// nem12File writes a NEM12 file of the given 200/300 blocks: for each NMI
// in order, one E1 block of 30-minute days, every value v Wh.
func nem12File(t *testing.T, name string, nmis []string, day string, v float64) string {
	t.Helper()
	return nem12FileUpdated(t, name, nmis, day, v, time.Time{})
}

// nem12FileUpdated is nem12File whose 300 records carry the provider's
// update time at (none when zero), written in NEM time as the file format
// has it.
func nem12FileUpdated(t *testing.T, name string, nmis []string, day string, v float64, at time.Time) string {
	t.Helper()
	updated := ""
	if !at.IsZero() {
		updated = at.In(time.FixedZone("NEM", 10*3600)).Format("20060102150405")
	}
	var b strings.Builder
	b.WriteString("100,NEM12,200505181432,A,B\n")
	for _, nmi := range nmis {
		fmt.Fprintf(&b, "200,%s,E1,E1,E1,N1,1,Wh,30,\n", nmi)
		fmt.Fprintf(&b, "300,%s%s,A,,,%s,\n", day, strings.Repeat(fmt.Sprintf(",%g", v), 48), updated)
	}
	b.WriteString("900\n")
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importSum(t *testing.T, db *bun.DB) float64 {
	t.Helper()
	var sum float64
	if err := db.QueryRowContext(context.Background(), `SELECT coalesce(sum(energy), 0) FROM import`).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestImportRestatedWithinFile: one file giving a day at 15 minutes and
// then again at 30 minutes stores the day once, as the later record says.
func TestImportRestatedWithinFile(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	in := "100,NEM12,200505181432,A,B\n" +
		"200,NMI0000001,E1,E1,E1,N1,1,kWh,15,\n300,20250201" + strings.Repeat(",0.5", 96) + ",A,,,,\n" +
		"200,NMI0000001,E1,E1,E1,N1,1,kWh,30,\n300,20250201" + strings.Repeat(",1", 48) + ",A,,,,\n900\n"
	p := filepath.Join(t.TempDir(), "restated.csv")
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, db, p, Options{})
	if got := importSum(t, db); got != 48000 {
		t.Errorf("import view sums to %v Wh, want 48000", got)
	}
	var n int
	var dur string
	if err := db.QueryRowContext(context.Background(), `SELECT count(*), min(duration)::text FROM meter_intervals`).Scan(&n, &dur); err != nil {
		t.Fatal(err)
	}
	if n != 48 || dur != "00:30:00" {
		t.Errorf("%d intervals of %s stored, want 48 of 00:30:00", n, dur)
	}
	if res.Rows != 48 || res.Inserted != 48 {
		t.Errorf("rows %d inserted %d, want 48 and 48 (notes %q)", res.Rows, res.Inserted, res.Notes)
	}
	// Importing it again changes nothing.
	before := snapshot(t, db)
	res = mustImport(t, db, p, Options{})
	if res.Inserted != 0 || res.Replaced != 0 || res.Unchanged != 48 || snapshot(t, db) != before {
		t.Errorf("re-import: %+v", res)
	}
}

// TestImportNewerReadingWins: with update times, the reading updated last
// stays whatever the import order, and the import of the older one says
// it kept the stored values; without them the later import wins.
func TestImportNewerReadingWins(t *testing.T) {
	t.Parallel()
	older := time.Date(2025, 2, 3, 9, 0, 0, 0, time.UTC)
	newer := older.Add(24 * time.Hour)
	oldFile := nem12FileUpdated(t, "old.csv", []string{"NMI0000001"}, "20250201", 1, older)
	newFile := nem12FileUpdated(t, "new.csv", []string{"NMI0000001"}, "20250201", 2, newer)
	undated := nem12File(t, "undated.csv", []string{"NMI0000001"}, "20250201", 1)

	db := dbtest.NewMigratedDB(t)
	mustImport(t, db, newFile, Options{})
	res := mustImport(t, db, oldFile, Options{})
	if res.Kept != 48 || res.Replaced != 0 || res.Inserted != 0 {
		t.Errorf("older after newer: kept %d replaced %d inserted %d, want 48, 0, 0", res.Kept, res.Replaced, res.Inserted)
	}
	if got := importSum(t, db); got != 96 {
		t.Errorf("older after newer: %v Wh, want the newer 96", got)
	}
	var updated time.Time
	if err := db.QueryRowContext(context.Background(), `SELECT max(updated_at) FROM meter_intervals`).Scan(&updated); err != nil {
		t.Fatal(err)
	}
	if !updated.Equal(newer) {
		t.Errorf("stored update time %v, want %v", updated, newer)
	}

	db = dbtest.NewMigratedDB(t)
	mustImport(t, db, oldFile, Options{})
	res = mustImport(t, db, newFile, Options{})
	if res.Kept != 0 || res.Replaced != 48 {
		t.Errorf("newer after older: kept %d replaced %d, want 0 and 48", res.Kept, res.Replaced)
	}
	if got := importSum(t, db); got != 96 {
		t.Errorf("newer after older: %v Wh, want 96", got)
	}

	// No update time on the later import: it wins, as without any.
	res = mustImport(t, db, undated, Options{})
	if res.Replaced != 48 || importSum(t, db) != 48 {
		t.Errorf("undated after dated: replaced %d, %v Wh; want 48 and 48", res.Replaced, importSum(t, db))
	}
}

// TestConcurrentImportsDoNotDeadlock: two files holding the same two NMIs
// in opposite orders, imported at the same time, both commit, and the
// database ends as if they had been imported one after the other.
func TestConcurrentImportsDoNotDeadlock(t *testing.T) {
	t.Parallel()
	nmis := []string{"NMI0000001", "NMI0000002", "NMI0000003"}
	reversed := []string{"NMI0000003", "NMI0000002", "NMI0000001"}
	a := nem12File(t, "a.csv", nmis, "20250201", 1)
	b := nem12File(t, "b.csv", reversed, "20250201", 2)
	// The sites exist already, with data on the day before: nothing but
	// the data itself orders the two imports.
	earlier := nem12File(t, "earlier.csv", nmis, "20250131", 3)

	sequential := map[string]bool{}
	for _, order := range [][]string{{a, b}, {b, a}} {
		db := dbtest.NewMigratedDB(t)
		mustImport(t, db, earlier, Options{})
		for _, p := range order {
			mustImport(t, db, p, Options{})
		}
		sequential[dataSnapshot(t, db)] = true
	}
	for i := 0; i < 10; i++ {
		db := dbtest.NewMigratedDB(t)
		mustImport(t, db, earlier, Options{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, p := range []string{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[j] = Import(context.Background(), db, p, Options{})
			}()
		}
		wg.Wait()
		for j, err := range errs {
			if err != nil {
				t.Fatalf("run %d, file %d: %v", i, j, err)
			}
		}
		if got := dataSnapshot(t, db); !sequential[got] {
			t.Fatalf("run %d: the database matches neither sequential order:\n%s", i, got)
		}
	}
}

// dataSnapshot is snapshot without site ids, which depend on which import
// created a site first.
func dataSnapshot(t *testing.T, db *bun.DB) string {
	t.Helper()
	var s string
	err := db.QueryRowContext(context.Background(), `SELECT string_agg(concat_ws('|', s.nmi, m.channel, m."timestamp", m.energy), ','
		ORDER BY s.nmi, m.channel, m."timestamp") FROM meter_intervals m JOIN sites s ON s.id = m.site_id`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestImportShorterIntervalsInsideLonger: 5-minute data starting inside a
// stored half hour replaces that half hour, though no new interval starts
// with it.
func TestImportShorterIntervalsInsideLonger(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("timestamp,import\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opts := Options{Site: "home", TimeZone: "UTC", Unit: Wh}
	mustImport(t, db, write("half.csv", "2025-02-01T00:00:00Z,30\n2025-02-01T00:30:00Z,30\n2025-02-01T01:00:00Z,30\n"), opts)
	res := mustImport(t, db, write("five.csv", "2025-02-01T00:10:00Z,1\n2025-02-01T00:15:00Z,1\n2025-02-01T00:20:00Z,1\n2025-02-01T00:25:00Z,1\n"), opts)
	var sum float64
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT sum(energy), count(*) FROM meter_intervals`).Scan(&sum, &n); err != nil {
		t.Fatal(err)
	}
	if res.Replaced != 1 || sum != 2*30+4 || n != 2+4 {
		t.Errorf("replaced %d; stored %v Wh in %d intervals, want 1 replaced, 64 Wh in 6", res.Replaced, sum, n)
	}
}
