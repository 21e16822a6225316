package sensors

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/subquery"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenSQL pins the SQL of each named query, rendered without a
// connection.
func TestGoldenSQL(t *testing.T) {
	t.Parallel()
	db := bun.NewDB(nil, pgdialect.New())
	queries := map[string]*bun.SelectQuery{
		"report": reportQuery(db, &[]ReportRow{}),
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := subquery.Render(db.QueryGen(), q)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".sql")
			got += "\n"
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if got != string(want) {
				t.Errorf("SQL differs from %s (go test -update rewrites it)\ngot:  %s\nwant: %s", path, got, want)
			}
		})
	}
}
