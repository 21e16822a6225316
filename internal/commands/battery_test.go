package commands

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
)

// batteryJSON is the part of `battery --format json` the tests read; the
// field names are the design's contract.
type batteryJSON struct {
	Site       string `json:"site"`
	DaysPriced int    `json:"days_priced"`
	BestBy     string `json:"best_by"`
	Results    []struct {
		Model            string   `json:"model"`
		CapacityWh       float64  `json:"capacity_wh"`
		Efficiency       float64  `json:"efficiency"`
		BaselineImportWh float64  `json:"baseline_import_wh"`
		BaselineExportWh float64  `json:"baseline_export_wh"`
		ImportWh         float64  `json:"import_wh"`
		ExportWh         float64  `json:"export_wh"`
		Savings          float64  `json:"savings"`
		SavingsPerYear   float64  `json:"savings_per_year"`
		PaybackYears     *float64 `json:"payback_years"`
		Best             bool     `json:"best"`
		Periods          []struct {
			Start        string  `json:"start"`
			End          string  `json:"end"`
			BaselineCost float64 `json:"baseline_cost"`
			Cost         float64 `json:"cost"`
			Savings      float64 `json:"savings"`
		} `json:"periods"`
	} `json:"results"`
}

func decodeBattery(t *testing.T, out string) batteryJSON {
	t.Helper()
	var doc batteryJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("battery --format json is not JSON: %v\n%s", err, out)
	}
	return doc
}

// loadRows adds a site from the CLI and loads rows into it directly (the
// importer has its own tests; this one is about the battery report).
func loadRows(t *testing.T, dsn, site, zone string, step time.Duration, rows []reporttest.Row) {
	t.Helper()
	mustRun(t, dsn, "site", "add", site, "--tz", zone)
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var id int64
	if err := db.NewRaw("SELECT id FROM sites WHERE name = ?", site).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	reporttest.Load(t, db, id, step, rows)
}

// The acceptance scenario: the Ausgrid year, a flat tariff and
// quarterly billing periods added from the CLI; the seed model's totals
// equal the seed generator's to the Wh (computed here, independently, from
// the CSV), and a sweep of four sizes gives the generator's figures for
// each.
func TestBatteryAcceptanceAusgridYear(t *testing.T) {
	t.Parallel()
	rows := reporttest.AusgridYear(t)
	dsn := dbtest.NewDatabase(t, true)
	loadRows(t, dsn, "ausgrid", reporttest.AusgridZone, 30*time.Minute, rows)
	mustRun(t, dsn, "tariff", "add", "Flat", "--retailer", "Sunny Energy", "--supply", "1.10", "--usage", "0.30", "--feed-in", "0.05")
	mustRun(t, dsn, "billing", "add", "--site", "ausgrid", "--tariff", "Flat", "--from", "2011-07-01", "--to", "2012-06-30", "--every", "quarter")

	doc := decodeBattery(t, mustRun(t, dsn, "battery", "--model", "seed", "--capacity", "13.5kWh", "--efficiency", "0.9", "--format", "json"))
	if len(doc.Results) != 1 {
		t.Fatalf("%d results, want 1", len(doc.Results))
	}
	r := doc.Results[0]
	bi, be, wi, we := reporttest.SeedTotals(rows, 13500, 0.9)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"baseline_import_wh", r.BaselineImportWh, bi}, {"baseline_export_wh", r.BaselineExportWh, be},
		{"import_wh", r.ImportWh, wi}, {"export_wh", r.ExportWh, we},
	} {
		if math.Round(c.got) != math.Round(c.want) || math.Abs(c.got-c.want) > 1e-6 {
			t.Errorf("%s = %.6f Wh, the seed generator gives %.6f Wh", c.name, c.got, c.want)
		}
	}
	if r.Model != "seed" || r.CapacityWh != 13500 || r.Efficiency != 0.9 {
		t.Errorf("result describes model %q, %v Wh, efficiency %v", r.Model, r.CapacityWh, r.Efficiency)
	}
	if wi >= bi || we >= be {
		t.Fatalf("the battery changed nothing (import %v → %v, export %v → %v): the check above proves little", bi, wi, be, we)
	}
	wantPeriods := [][2]string{{"2011-07-01", "2011-09-30"}, {"2011-10-01", "2011-12-31"}, {"2012-01-01", "2012-03-31"}, {"2012-04-01", "2012-06-30"}}
	if len(r.Periods) != len(wantPeriods) {
		t.Fatalf("%d periods, want the 4 quarters", len(r.Periods))
	}
	sum := 0.0
	for i, p := range r.Periods {
		if p.Start != wantPeriods[i][0] || p.End != wantPeriods[i][1] {
			t.Errorf("period %d: %s to %s, want %s to %s", i, p.Start, p.End, wantPeriods[i][0], wantPeriods[i][1])
		}
		if math.Abs(p.BaselineCost-p.Cost-p.Savings) > 0.011 || p.Savings <= 0 {
			t.Errorf("period %s: baseline %v − cost %v ≠ savings %v", p.Start, p.BaselineCost, p.Cost, p.Savings)
		}
		sum += p.Savings
	}
	if math.Abs(sum-r.Savings) > 0.02 {
		t.Errorf("periods save %v in total, the result says %v", sum, r.Savings)
	}
	if doc.DaysPriced != 366 || math.Abs(r.SavingsPerYear-r.Savings*365/366) > 0.01 {
		t.Errorf("%d days priced, savings %v, per year %v", doc.DaysPriced, r.Savings, r.SavingsPerYear)
	}
	// A flat tariff makes the savings checkable by hand: every kWh not
	// imported saves 0.30, every kWh not exported forgoes 0.05.
	if want := 0.30*(bi-wi)/1000 - 0.05*(be-we)/1000; math.Abs(r.Savings-want) > 0.01 {
		t.Errorf("savings %v, want 0.30 × %v kWh − 0.05 × %v kWh = %v", r.Savings, (bi-wi)/1000, (be-we)/1000, want)
	}

	// That the sweep reads summary once is asserted in package report
	// (TestSweepReadsSummaryOnce), on a connection it traces.
	sweep := decodeBattery(t, mustRun(t, dsn, "battery", "--model", "seed", "--sweep", "5kWh,10kWh,13.5kWh,20kWh", "--efficiency", "0.9", "--price", "400/kWh", "--format", "json"))
	if len(sweep.Results) != 4 {
		t.Fatalf("sweep: %d results, want 4", len(sweep.Results))
	}
	best := 0
	for i, res := range sweep.Results {
		capWh := []float64{5000, 10000, 13500, 20000}[i]
		_, _, wi, we := reporttest.SeedTotals(rows, capWh, 0.9)
		if res.CapacityWh != capWh || math.Abs(res.ImportWh-wi) > 1e-6 || math.Abs(res.ExportWh-we) > 1e-6 {
			t.Errorf("sweep %v Wh: import %v export %v, generator %v %v", capWh, res.ImportWh, res.ExportWh, wi, we)
		}
		if res.Best {
			best++
			for _, o := range sweep.Results {
				if o.PaybackYears != nil && *o.PaybackYears < *res.PaybackYears {
					t.Errorf("best payback marked on %v Wh (%v years), but %v years exists", res.CapacityWh, *res.PaybackYears, *o.PaybackYears)
				}
			}
		}
	}
	if best != 1 || sweep.BestBy != "payback" {
		t.Errorf("%d results marked best by %q, want one by payback", best, sweep.BestBy)
	}
	if sweep.Results[2].Savings != r.Savings {
		t.Errorf("13.5 kWh in the sweep saves %v, alone %v", sweep.Results[2].Savings, r.Savings)
	}
}

// smallSite loads two weeks of half hours with a midday surplus and an
// evening load into a fresh database: enough for a battery to earn.
func smallSite(t *testing.T) (dsn string) {
	t.Helper()
	dsn = dbtest.NewDatabase(t, true)
	loc, _ := time.LoadLocation("Australia/Adelaide")
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, loc)
	var rows []reporttest.Row
	for i := 0; i < 14*48; i++ {
		at := start.Add(time.Duration(i) * 30 * time.Minute)
		h := at.In(loc).Hour()
		r := reporttest.Row{Start: at}
		switch {
		case h >= 10 && h < 15:
			r.Generation, r.Export = 2000, 1500
		case h >= 17 && h < 22:
			r.Import = 600
		default:
			r.Import = 150
		}
		rows = append(rows, r)
	}
	loadRows(t, dsn, "home", "Australia/Adelaide", 30*time.Minute, rows)
	mustRun(t, dsn, "tariff", "add", "Flat", "--retailer", "R", "--supply", "1.00", "--usage", "0.30", "--feed-in", "0.05")
	mustRun(t, dsn, "billing", "add", "--site", "home", "--tariff", "Flat", "--from", "2024-03-01", "--to", "2024-03-31")
	return dsn
}

func TestBatteryOutputs(t *testing.T) {
	t.Parallel()
	dsn := smallSite(t)
	dir := t.TempDir()

	out := mustRun(t, dsn, "battery", "--price", "5000", "--discount-rate", "5%", "--power", "5kW", "--chart", filepath.Join(dir, "day.svg"))
	for _, want := range []string{
		`Battery what-if for site "home" (Australia/Adelaide)`,
		"2024-03-01 to 2024-03-31", "WITHOUT BATTERY", "SAVINGS", "TOTAL",
		"full model: round-trip efficiency 0.9 split evenly", "capacity 13500 Wh nominal",
		"per day", "per year", "Energy shifted", "equivalent full cycles", "Simple payback", "Net present value",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	out = mustRun(t, dsn, "battery", "--sweep", "5,10,13.5kWh", "--format", "csv", "--chart", filepath.Join(dir, "sweep.png"))
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	if len(recs) != 4 || recs[0][0] != "label" || recs[1][2] != "5000" || recs[3][2] != "13500" {
		t.Errorf("csv: want a header and one row per size and period:\n%s", out)
	}

	svg, err := os.ReadFile(filepath.Join(dir, "day.svg"))
	if err != nil || !bytes.Contains(svg, []byte("<svg")) {
		t.Errorf("day.svg is not an SVG (%v)", err)
	}
	png, err := os.ReadFile(filepath.Join(dir, "sweep.png"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("sweep.png is not a PNG (%v)", err)
	}

	// --from/--to narrow the data; the battery starts empty on --from.
	doc := decodeBattery(t, mustRun(t, dsn, "battery", "--from", "2024-03-02", "--to", "2024-03-03", "--format", "json"))
	if doc.DaysPriced != 2 {
		t.Errorf("--from 2024-03-02 --to 2024-03-03 priced %d days, want 2", doc.DaysPriced)
	}
}

func TestBatteryBadInput(t *testing.T) {
	t.Parallel()
	dsn := smallSite(t)
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// A site whose billing periods miss its data, and one on a tariff
	// without components (which `tariff add` refuses to create, so it is
	// made directly).
	twoHours := []reporttest.Row{
		{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Import: 10},
		{Start: time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC), Export: 10},
	}
	loadRows(t, dsn, "late", "UTC", time.Hour, twoHours)
	mustRun(t, dsn, "billing", "add", "--site", "late", "--tariff", "Flat", "--from", "2030-01-01", "--to", "2030-12-31")
	loadRows(t, dsn, "bare", "UTC", time.Hour, twoHours)
	loadRows(t, dsn, "tiny", "UTC", time.Hour, twoHours[:1])
	mustRun(t, dsn, "billing", "add", "--site", "tiny", "--tariff", "Flat", "--from", "2024-01-01", "--to", "2024-01-31")
	if _, err := db.ExecContext(context.Background(),
		"INSERT INTO tariffs (retailer_id, name) SELECT id, 'Nothing' FROM retailers LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dsn, "billing", "add", "--site", "bare", "--tariff", "Nothing", "--from", "2024-01-01", "--to", "2024-01-31")

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--site", "hom"}, `no site named "hom"; did you mean "home"?`},
		{[]string{"--site", "zzzzzz"}, `no site named "zzzzzz" (sites: "bare", "home", "late", "tiny")`},
		{[]string{}, "there are 4 sites"},
		{[]string{"--site", "tiny"}, `site "tiny" has too little data to simulate a battery`},
		{[]string{"--site", "home", "--capacity", "0kWh"}, "battery capacity must be greater than 0 Wh"},
		{[]string{"--site", "home", "--capacity", "-5kWh"}, "battery capacity must be greater than 0 Wh"},
		{[]string{"--site", "home", "--sweep", "5kWh,0kWh"}, "battery capacity must be greater than 0 Wh"},
		{[]string{"--site", "home", "--capacity", "13.5"}, `has no unit`},
		{[]string{"--site", "home", "--capacity", "13.5kW"}, `unknown unit "kW"`},
		{[]string{"--site", "home", "--efficiency", "0"}, "efficiency must be in (0, 1]"},
		{[]string{"--site", "home", "--efficiency", "1.2"}, "efficiency must be in (0, 1]"},
		{[]string{"--site", "home", "--model", "seed", "--efficiency", "-0.5"}, "efficiency must be in (0, 1]"},
		{[]string{"--site", "home", "--efficiency", "ninety"}, `battery efficiency "ninety"`},
		{[]string{"--site", "home", "--lifetime", "0"}, `--lifetime "0"`},
		{[]string{"--site", "late"}, `no billing period of site "late" covers its data (2024-01-01 to 2024-01-01; billing periods cover 2030-01-01 to 2030-12-31)`},
		{[]string{"--site", "bare"}, `tariff "Nothing": tariff has no components`},
		{[]string{"--site", "home", "--model", "seed", "--power", "5kW"}, "--power applies to the full model only"},
		{[]string{"--site", "home", "--model", "lithium"}, `unknown battery model "lithium"`},
		{[]string{"--site", "home", "--sweep", "5kWh", "--capacity", "5kWh"}, "either --capacity or --sweep"},
		{[]string{"--site", "home", "--chart", "x.pdf"}, "ending in .svg or .png"},
		{[]string{"--site", "home", "--format", "xml"}, `unknown format "xml"`},
		{[]string{"--site", "home", "--price", "cheap"}, `price "cheap"`},
		{[]string{"--site", "home", "--discount-rate", "5%"}, "--discount-rate needs --price"},
		{[]string{"--site", "home", "--price", "5000", "--discount-rate", "5"}, "below 100%"},
		{[]string{"--site", "home", "--from", "2024-04-01"}, `site "home" has no data from 2024-04-01`},
		{[]string{"--site", "home", "--from", "2024-03-10", "--to", "2024-03-01"}, "--to 2024-03-01 is before --from 2024-03-10"},
	}
	for _, tt := range cases {
		args := append([]string{"battery"}, tt.args...)
		r := run(t, dsn, args...)
		if r.code == 0 || !strings.Contains(r.stderr, tt.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("solarview %s: exit %d, stderr %q; want exit ≠ 0 and one line containing %q",
				strings.Join(args, " "), r.code, r.stderr, tt.want)
		}
		if r.stdout != "" {
			t.Errorf("solarview %s printed output before failing:\n%s", strings.Join(args, " "), r.stdout)
		}
	}
}

// With a single site, --site may be left out.
func TestBatteryOnlySite(t *testing.T) {
	t.Parallel()
	dsn := smallSite(t)
	doc := decodeBattery(t, mustRun(t, dsn, "battery", "--format", "json"))
	if doc.Site != "home" || len(doc.Results) != 1 || doc.Results[0].Model != "full" {
		t.Errorf("battery without --site: site %q, %d results", doc.Site, len(doc.Results))
	}
}
