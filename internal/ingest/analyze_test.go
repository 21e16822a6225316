package ingest

import (
	"context"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

// TestImportAnalyzesWhatItChanged checks that an import leaves the planner
// statistics of energy_days describing the data when it wrote much of the
// table, and leaves them alone when it wrote nothing.
func TestImportAnalyzesWhatItChanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := sharedData(t, "ausgrid/customer12-2011-2012.csv")
	db := dbtest.NewMigratedDB(t)
	analyses := func() (count int64, reltuples float64, rows int64) {
		t.Helper()
		err := db.QueryRowContext(ctx, `SELECT
				(SELECT analyze_count FROM pg_stat_user_tables WHERE relid = 'energy_days'::regclass),
				(SELECT reltuples FROM pg_class WHERE oid = 'energy_days'::regclass),
				(SELECT count(*) FROM energy_days)`).Scan(&count, &reltuples, &rows)
		if err != nil {
			t.Fatal(err)
		}
		return count, reltuples, rows
	}
	before, _, _ := analyses()
	// The site exists before the import (as after `site add`): the import
	// writes nothing to sites, yet leaves it analysed.
	if _, err := db.ExecContext(ctx, `INSERT INTO sites (name) VALUES ('home')`); err != nil {
		t.Fatal(err)
	}

	mustImport(t, db, path, Options{Site: "home"})
	count, reltuples, rows := analyses()
	if count != before+1 || reltuples != float64(rows) || rows == 0 {
		t.Fatalf("after the first import: %d analyses (had %d), reltuples %v for %d rows; want one more analysis and exact counts",
			count, before, reltuples, rows)
	}

	var sites float64
	if err := db.QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'sites'::regclass`).Scan(&sites); err != nil {
		t.Fatal(err)
	}
	if sites != 1 {
		t.Errorf("sites has reltuples %v after the import, want 1 (analysed)", sites)
	}

	// The same file again writes nothing, so nothing is analysed.
	res := mustImport(t, db, path, Options{Site: "home"})
	if res.Inserted != 0 || res.Replaced != 0 {
		t.Fatalf("re-import wrote rows: %+v", res)
	}
	if again, _, _ := analyses(); again != count {
		t.Errorf("re-import analysed energy_days again: %d analyses, want %d", again, count)
	}
}
