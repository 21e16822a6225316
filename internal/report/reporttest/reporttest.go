// Package reporttest loads interval data into a test database and computes
// what the seed article's battery generator makes of it, independently of
// the code under test: the helpers behind the battery report's tests, the
// CLI's acceptance test and the benchmarks.
package reporttest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/demo"
	"github.com/solarview/solarview/internal/ingest"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/internal/testfiles"
	"github.com/solarview/solarview/models"
)

// Row is one interval as loaded: PV generation and the net grid flows, Wh.
type Row struct {
	Start                      time.Time
	Generation, Import, Export float64
	// ControlledLoad is imported on a controlled-load channel of its own,
	// on top of Import (the general circuit's): summary's import is their
	// sum. 0 stores no reading.
	ControlledLoad float64
}

// AusgridZone is the time zone of the Ausgrid data's wall-clock timestamps.
const AusgridZone = "Australia/Sydney"

// AusgridYear reads the Ausgrid customer's half-hourly year (timestamp, GC
// general consumption, GG gross generation, kWh) as Wh, with net import
// max(GC−GG, 0) and export max(GG−GC, 0). Timestamps are Sydney wall clock:
// the two half hours that do not exist when daylight saving starts hold
// zeros and are dropped (the test fails if they do not); the repeated hour
// when it ends appears once.
func AusgridYear(t testing.TB) []Row {
	t.Helper()
	path := testfiles.Ausgrid(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	loc, err := time.LoadLocation(AusgridZone)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(head) != 3 || head[1] != "GC" || head[2] != "GG" {
		t.Fatalf("%s: header %q, want timestamp,GC,GG", path, head)
	}
	var rows []Row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		wall, err := time.Parse(time.DateTime, rec[0])
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		gc, err1 := strconv.ParseFloat(rec[1], 64)
		gg, err2 := strconv.ParseFloat(rec[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: bad row %q", path, rec)
		}
		at := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, loc)
		if at.Hour() != wall.Hour() || at.Minute() != wall.Minute() {
			if gc != 0 || gg != 0 {
				t.Fatalf("%s: %s does not exist in %s but holds data", path, rec[0], AusgridZone)
			}
			continue
		}
		rows = append(rows, Row{
			Start:      at,
			Generation: gg * 1000,
			Import:     math.Max(gc-gg, 0) * 1000,
			Export:     math.Max(gg-gc, 0) * 1000,
		})
	}
	if len(rows) < 17000 {
		t.Fatalf("%s: only %d rows, expected a year of half hours", path, len(rows))
	}
	return rows
}

// DemoYear is the demo household's generated year: 5-minute intervals,
// 105,408 of them.
func DemoYear(t testing.TB) []Row {
	t.Helper()
	var rows []Row
	err := demo.Adelaide.Generate(func(iv demo.Interval) error {
		rows = append(rows, Row{Start: iv.Start, Generation: iv.Generation, Import: iv.Import, Export: iv.Export})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// HouseholdRows is days of half hours in Adelaide from start: a midday
// surplus and an evening peak that vary from day to day, so batteries of
// different sizes and plans of different shapes price differently.
func HouseholdRows(start time.Time, days int) []Row {
	var rows []Row
	for i := 0; i < days*48; i++ {
		at := start.Add(time.Duration(i) * 30 * time.Minute)
		lt := at.In(start.Location())
		h, d := lt.Hour(), lt.YearDay()
		r := Row{Start: at}
		switch {
		case h >= 9 && h < 16:
			r.Generation = 1500 + float64(d%7)*200
			r.Export = 900 + float64(d%5)*250
		case h >= 17 && h < 22:
			r.Import = 500 + float64((d+h)%4)*150
		default:
			r.Import = 120 + float64(d%3)*30
		}
		rows = append(rows, r)
	}
	return rows
}

// AddSite creates a site and returns its id.
func AddSite(t testing.TB, db *bun.DB, name, zone string) int64 {
	t.Helper()
	var id int64
	err := db.NewRaw("INSERT INTO sites (name, timezone) VALUES (?, ?) RETURNING id", name, zone).
		Scan(context.Background(), &id)
	if err != nil {
		t.Fatalf("adding site %q: %v", name, err)
	}
	return id
}

// Load stores rows as generation and metered intervals (channels E1 import,
// B1 export and CL controlled load, every interval step long) of the site;
// a NaN value stores no reading of that series at that time, nor does a
// zero controlled load. COPY into a staging
// table, then into energy_days the way imports store data. A year of
// 5-minute data takes a fraction of a second.
func Load(t testing.TB, db *bun.DB, siteID int64, step time.Duration, rows []Row) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dur := pgtype.Interval{Microseconds: step.Microseconds(), Valid: true}
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, `CREATE TEMP TABLE load_stage (site_id bigint, kind text, channel text,
			ts timestamptz, step interval, energy double precision, quality text, updated_at timestamptz)`); err != nil {
			return err
		}
		defer func() { _, _ = pc.Exec(ctx, `DROP TABLE load_stage`) }()
		i := 0
		series := []struct{ kind, channel string }{{"generation", "generation"}, {"import", "E1"}, {"export", "B1"}, {"import", "CL"}}
		n := len(series)
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"load_stage"}, []string{"site_id", "kind", "channel", "ts", "step", "energy", "quality"},
			pgx.CopyFromFunc(func() ([]any, error) {
				for i < n*len(rows) {
					r, k := rows[i/n], i%n
					i++
					v := [...]float64{r.Generation, r.Import, r.Export, r.ControlledLoad}[k]
					if math.IsNaN(v) || k == 3 && v == 0 {
						continue // no reading of this series here
					}
					s := series[k]
					return []any{siteID, s.kind, s.channel, r.Start, dur, v, "A"}, nil
				}
				return nil, nil
			}))
		if err != nil {
			return fmt.Errorf("copying intervals: %w", err)
		}
		if _, err := pc.Exec(ctx, ingest.BuildDays(`SELECT * FROM load_stage`)); err != nil {
			return fmt.Errorf("storing intervals: %w", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "ANALYZE energy_days"); err != nil {
		t.Fatal(err)
	}
}

// SeedOut is what the seed's generator yields for one row.
type SeedOut struct {
	Stored, Import, Export float64
}

// SeedGenerator is the seed article's PL/Python generator, written out
// plainly from the article for the tests' expectations: start empty; if
// the export is truthy and the battery not full, charge it with the export
// and export only what does not fit; then if the import is truthy and the
// battery not empty, take import/efficiency from it, importing
// -energy*efficiency if that runs it flat. Every loaded row has values, so
// truthiness is just "not zero".
func SeedGenerator(rows []Row, capacity, efficiency float64) []SeedOut {
	out := make([]SeedOut, len(rows))
	energy := 0.0
	for i, row := range rows {
		exportAmount := row.Export
		if exportAmount != 0 && energy < capacity {
			energy += exportAmount
			if energy > capacity {
				exportAmount = energy - capacity
				energy = capacity
			} else {
				exportAmount = 0
			}
		}
		importAmount := row.Import
		if importAmount != 0 && energy > 0 {
			energy -= importAmount / efficiency
			if energy < 0 {
				importAmount = -energy * efficiency
				energy = 0
			} else {
				importAmount = 0
			}
		}
		out[i] = SeedOut{Stored: energy, Import: importAmount, Export: exportAmount}
	}
	return out
}

// SeedTotals sums the generator's import and export over rows, and the
// rows' own import and export (the baseline), in row order.
func SeedTotals(rows []Row, capacity, efficiency float64) (baseImport, baseExport, imp, exp float64) {
	for i, o := range SeedGenerator(rows, capacity, efficiency) {
		baseImport += rows[i].Import
		baseExport += rows[i].Export
		imp += o.Import
		exp += o.Export
	}
	return
}

// AddFlatTariff stores a flat tariff (daily supply charge, usage rate and
// feed-in rate, in currency units) through package tariff and returns it.
func AddFlatTariff(t testing.TB, db *bun.DB, name, supply, usage, feedIn string) *tariff.Tariff {
	t.Helper()
	money := func(s string) models.Money {
		m, err := models.ParseMoney(s)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sc, ur, fr := &tariff.DailySupplyCharge{}, &tariff.UsageRate{}, &tariff.FeedInRate{}
	sc.Amount, ur.Rate, fr.Rate = money(supply), money(usage), money(feedIn)
	tr := &tariff.Tariff{Name: name, Retailer: "Test Energy", Components: []tariff.Component{sc, ur, fr}}
	if err := tariff.SaveTariff(context.Background(), db, tariff.Components, tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// AddPeriods puts the site on tr from first to last (local dates, both
// included), split every "month" or "quarter" (or "" for one period).
func AddPeriods(t testing.TB, db *bun.DB, siteID int64, tr *tariff.Tariff, first, last, every string) []tariff.DateRange {
	t.Helper()
	from, err1 := time.Parse(time.DateOnly, first)
	to, err2 := time.Parse(time.DateOnly, last)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	ranges, err := tariff.SplitPeriods(from, to, every)
	if err != nil {
		t.Fatal(err)
	}
	if err := tariff.AddBillingPeriods(context.Background(), db, siteID, "", tr.ID, ranges); err != nil {
		t.Fatal(err)
	}
	return ranges
}
