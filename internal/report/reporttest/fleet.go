package reporttest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/demo"
	"github.com/solarview/solarview/internal/ingest"
	"github.com/solarview/solarview/internal/tariff"
)

// errEnough stops a household's generator once the days wanted are written.
var errEnough = errors.New("enough days")

// ImportHousehold imports the first days of h's year (all of it when days
// is 0) as site h.Name, in h's time zone, the way `solarview import --site
// NAME --tz ZONE --unit Wh FILE.csv` does: the rows go through the CSV
// importer, so the test depends on no table layout. It returns the site's
// id.
func ImportHousehold(t testing.TB, db *bun.DB, h demo.Household, days int) int64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "household.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if days <= 0 {
		err = h.WriteCSV(f)
	} else {
		err = writeDays(f, h, days)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	res, err := ingest.Import(context.Background(), db, path, ingest.Options{
		Format: ingest.FormatCSV, Site: h.Name, TimeZone: h.TimeZone, Unit: ingest.Wh,
	})
	if err != nil {
		t.Fatalf("importing %s: %v", h.Name, err)
	}
	if len(res.Sites) != 1 {
		t.Fatalf("importing %s touched %d sites", h.Name, len(res.Sites))
	}
	return res.Sites[0].ID
}

// writeDays writes the first days of h's year in WriteCSV's layout.
func writeDays(f *os.File, h demo.Household, days int) error {
	loc, err := time.LoadLocation(h.TimeZone)
	if err != nil {
		return err
	}
	end := time.Date(h.Year, 1, 1+days, 0, 0, 0, 0, loc)
	w := bufio.NewWriter(f)
	w.WriteString("timestamp,generation,import,export\n")
	var line []byte
	err = h.Generate(func(iv demo.Interval) error {
		if !iv.Start.Before(end) {
			return errEnough
		}
		line = iv.Start.AppendFormat(line[:0], time.RFC3339)
		for _, v := range [...]float64{iv.Generation, iv.Import, iv.Export} {
			line = strconv.AppendFloat(append(line, ','), v, 'f', -1, 64)
		}
		_, err := w.Write(append(line, '\n'))
		return err
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	return w.Flush()
}

// AddDemoTariff stores the demo's time-of-use plan under name and returns
// it.
func AddDemoTariff(t testing.TB, db *bun.DB, name string) *tariff.Tariff {
	t.Helper()
	comps, err := tariff.ParsePlan(demo.Plan)
	if err != nil {
		t.Fatal(err)
	}
	tr := &tariff.Tariff{Name: name, Retailer: demo.RetailerName, Components: comps}
	if err := tariff.SaveTariff(context.Background(), db, tariff.Components, tr); err != nil {
		t.Fatal(err)
	}
	return tr
}
