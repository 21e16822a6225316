package demo

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/ingest"
	"github.com/solarview/solarview/internal/sites"
	"github.com/solarview/solarview/internal/tariff"
)

// Plan is the demo's tariff, in the format `solarview tariff add --file`
// reads: a time-of-use plan with a cheap "solar sponge" window in the middle
// of the day, so that a battery has something to earn.
//
//go:embed plan.json
var Plan []byte

// Demo tariff names.
const (
	TariffName   = "Demo TOU"
	RetailerName = "Demo Energy"
)

// Load fills a migrated database with h's year, the demo tariff and monthly
// billing periods, through the same code paths as `solarview import`,
// `tariff add` and `billing add`. It does nothing when h's site is already
// there, so running the demo again is quick; it reports whether it loaded.
func Load(ctx context.Context, db *bun.DB, h Household, w io.Writer) (loaded bool, err error) {
	exists, err := db.NewSelect().Table("sites").Where("name = ?", h.Name).Exists(ctx)
	if err != nil {
		return false, err
	}
	if exists {
		return false, nil
	}

	// The generated year goes through the CSV importer like a user's file,
	// so the demo exercises the one path data takes into solarview.
	path, err := h.writeCSV()
	if err != nil {
		return false, err
	}
	defer os.Remove(path)
	res, err := ingest.Import(ctx, db, path, ingest.Options{
		Format: ingest.FormatCSV, Site: h.Name, TimeZone: h.TimeZone, Unit: ingest.Wh,
	})
	if err != nil {
		return false, fmt.Errorf("importing the demo year: %w", err)
	}
	fmt.Fprintf(w, "Loaded %d rows for %q (%s, %.1f kW of PV): %s to %s.\n",
		res.Rows, h.Name, h.TimeZone, h.PVCapacity/1000,
		res.From.In(res.Location).Format(time.DateOnly), res.To.In(res.Location).Format(time.DateOnly))

	comps, err := tariff.ParsePlan(Plan)
	if err != nil {
		return false, fmt.Errorf("demo plan: %w", err)
	}
	t := &tariff.Tariff{Name: TariffName, Retailer: RetailerName, Components: comps}
	if err := tariff.SaveTariff(ctx, db, tariff.Components, t); err != nil {
		return false, err
	}
	site, err := sites.Find(ctx, db, h.Name)
	if err != nil {
		return false, err
	}
	first := time.Date(h.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(h.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	periods, err := tariff.SplitPeriods(first, last, "month")
	if err != nil {
		return false, err
	}
	if err := tariff.AddBillingPeriods(ctx, db, site.ID, site.Name, t.ID, periods); err != nil {
		return false, err
	}
	fmt.Fprintf(w, "Added tariff %q from %q with %d monthly billing periods.\n", TariffName, RetailerName, len(periods))
	n, err := loadSensors(ctx, db, h, site.ID)
	if err != nil {
		return false, fmt.Errorf("adding the demo sensors: %w", err)
	}
	fmt.Fprintf(w, "Added %d temperature sensors with %d readings.\n", len(Sensors), n)
	return true, nil
}

// writeCSV writes h's year to a temporary file, as [Household.WriteCSV]
// does, and returns its path.
func (h Household) writeCSV() (path string, err error) {
	f, err := os.CreateTemp("", "solarview-demo-*.csv")
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	return f.Name(), h.WriteCSV(f)
}

// WriteCSV writes h's year to w as the interval CSV `solarview import
// --format csv --unit Wh` reads: timestamp (with its UTC offset, so the hour
// repeated when daylight saving ends is never ambiguous), generation, import
// and export in Wh.
func (h Household) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("timestamp,generation,import,export\n")
	var line []byte
	err := h.Generate(func(iv Interval) error {
		line = iv.Start.AppendFormat(line[:0], time.RFC3339)
		for _, v := range [...]float64{iv.Generation, iv.Import, iv.Export} {
			line = append(line, ',')
			line = strconv.AppendFloat(line, v, 'f', -1, 64)
		}
		line = append(line, '\n')
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
