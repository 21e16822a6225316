package commands

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report/reporttest"
)

// hotWaterDay is a day of half-hours at a site with off-peak hot water on
// a controlled-load channel: per stretch of half-hours [from, to), the
// general circuit's import, the controlled load and the export, Wh.
var hotWaterDay = []struct {
	from, to   int
	g, cl, exp float64
}{
	{0, 14, 100, 400, 0},  // 00:00–07:00: the plan's overnight controlled-load rate
	{14, 20, 300, 0, 0},   // 07:00–10:00
	{20, 30, 0, 200, 800}, // 10:00–15:00: its solar-soak rate
	{30, 32, 0, 100, 300}, // 15:00–16:00: no controlled-load rate, so general rates
	{32, 44, 600, 0, 0},   // 16:00–22:00
	{44, 48, 200, 500, 0}, // 22:00–24:00: overnight
}

// TestControlledLoadBills imports three days with a controlled-load
// channel from a CSV file, puts the site on the CDR plan of
// internal/tariff/testdata/cdr/controlled_load.json for two days and on a
// flat plan without a controlled-load rate for the third, and checks the
// bills without and with a battery against amounts worked out here.
func TestControlledLoadBills(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("timestamp,import,export,CL\n")
	type iv struct {
		at         time.Time
		g, cl, exp float64
	}
	var ivs []iv
	for d := 0; d < 3; d++ {
		day := time.Date(2024, 3, 4+d, 0, 0, 0, 0, loc)
		for _, s := range hotWaterDay {
			for h := s.from; h < s.to; h++ {
				at := day.Add(time.Duration(h) * 30 * time.Minute)
				ivs = append(ivs, iv{at, s.g, s.cl, s.exp})
				fmt.Fprintf(&csv, "%s,%v,%v,%v\n", at.Format("2006-01-02 15:04"), s.g, s.exp, s.cl)
			}
		}
	}
	file := filepath.Join(t.TempDir(), "hot.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dsn, "site", "add", "hot", "--tz", "Australia/Sydney")
	mustRun(t, dsn, "import", "--site", "hot", "--unit", "Wh", file)
	plan := filepath.Join("..", "tariff", "testdata", "cdr", "controlled_load.json")
	mustRun(t, dsn, "tariff", "add", "Warmth", "--file", plan)
	mustRun(t, dsn, "tariff", "add", "Flat", "--retailer", "R", "--supply", "1.00", "--usage", "0.30", "--feed-in", "0.05", "--gst", "10%")
	mustRun(t, dsn, "billing", "add", "--site", "hot", "--tariff", "Warmth", "--from", "2024-03-04", "--to", "2024-03-05")
	mustRun(t, dsn, "billing", "add", "--site", "hot", "--tariff", "Flat", "--from", "2024-03-06", "--to", "2024-03-06")

	out := mustRun(t, dsn, "battery", "--site", "hot", "--model", "seed", "--capacity", "4.5kWh", "--efficiency", "0.9", "--format", "json")
	doc := decodeBattery(t, out)
	var notes struct {
		Data struct {
			Warnings []string `json:"warnings"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &notes); err != nil {
		t.Fatal(err)
	}

	// Without a battery, a Warmth day (GST included):
	//   supply 1.10 + 0.11 for the controlled load          1.21
	//   overnight 14×400 + 4×500 = 7.6 kWh at 0.165          1.254
	//   solar soak 10×200 = 2 kWh at 0.11                    0.22
	//   general 14×100 + 6×300 + 12×600 + 4×200 = 11.2 kWh,
	//     plus 2×100 Wh of controlled load outside its
	//     windows: 11.4 kWh at 0.33                          3.762
	//   feed-in 10×800 + 2×300 = 8.6 kWh at 0.05            −0.43
	//                                                        6.016
	// two days 12.032: a bill of 12.03. The Flat day prices all 21 kWh at
	// 0.33 and charges no controlled-load supply: 1.10 + 6.93 − 0.43 = 7.60.
	r := doc.Results[0]
	if len(r.Periods) != 2 {
		t.Fatalf("%d periods, want 2", len(r.Periods))
	}
	if r.Periods[0].BaselineCost != 12.03 || r.Periods[1].BaselineCost != 7.60 {
		t.Errorf("bills without a battery %v and %v, want 12.03 and 7.60", r.Periods[0].BaselineCost, r.Periods[1].BaselineCost)
	}

	// With the seed battery: it serves the general circuit only, so the
	// generator runs on the general import and the controlled load is
	// priced as it was.
	rows := make([]reporttest.Row, len(ivs))
	for i, v := range ivs {
		rows[i] = reporttest.Row{Start: v.at, Import: v.g, Export: v.exp}
	}
	// Summed in exact rationals of the generator's floats (9.809 and
	// 6.4885): a float sum can land on the wrong side of a half cent.
	rat := func(x float64) *big.Rat { return new(big.Rat).SetFloat64(x) }
	price := func(rate string, wh float64) *big.Rat {
		r, _ := new(big.Rat).SetString(rate)
		return r.Mul(r, rat(wh)).Quo(r, big.NewRat(1000, 1))
	}
	bills := [2]*big.Rat{new(big.Rat), new(big.Rat)}
	for i, o := range reporttest.SeedGenerator(rows, 4500, 0.9) {
		v := ivs[i]
		h := v.at.Hour()
		bill := bills[0]
		if v.at.Day() == 6 {
			bill = bills[1]
		}
		bill.Sub(bill, price("0.05", o.Export))
		switch {
		case v.at.Day() == 6: // Flat
			bill.Add(bill, price("0.33", o.Import+v.cl))
		case h < 7 || h >= 22:
			bill.Add(bill, price("0.33", o.Import)).Add(bill, price("0.165", v.cl))
		case h >= 10 && h < 15:
			bill.Add(bill, price("0.33", o.Import)).Add(bill, price("0.11", v.cl))
		default:
			bill.Add(bill, price("0.33", o.Import+v.cl))
		}
	}
	bills[0].Add(bills[0], big.NewRat(242, 100)) // two days of 1.21
	bills[1].Add(bills[1], big.NewRat(110, 100))
	for i, exact := range bills {
		// To the cent, halves away from zero.
		cents := new(big.Rat).Mul(exact, big.NewRat(100, 1))
		cents.Add(cents, big.NewRat(1, 2))
		want := float64(new(big.Int).Quo(cents.Num(), cents.Denom()).Int64()) / 100
		t.Logf("bill %d with the battery: %s exactly", i+1, exact.FloatString(15))
		if got := r.Periods[i].Cost; got != want {
			t.Errorf("bill %d with the battery %v, want %v", i+1, got, want)
		}
	}
	if r.Periods[0].Cost >= r.Periods[0].BaselineCost {
		t.Errorf("the battery saved nothing (%v → %v): the check above proves little", r.Periods[0].BaselineCost, r.Periods[0].Cost)
	}
	if r.BaselineImportWh != 3*21000 || r.ImportWh < 3*9800 {
		t.Errorf("import %v Wh without the battery (want 63,000), %v with it (at least the 29,400 of controlled load)", r.BaselineImportWh, r.ImportWh)
	}

	joined := strings.Join(notes.Data.Warnings, "\n")
	for _, w := range []string{
		`0.4 of the site's 19.6 kWh of controlled load fell outside tariff "Warmth"'s controlled-load rates and are priced at its general rates`,
		`tariff "Flat" has no controlled-load rate: the site's 9.8 kWh of controlled load are priced at its general rates`,
	} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings lack %q:\n%s", w, joined)
		}
	}

	// compare prices each plan over all three days: Warmth 3 × 6.016,
	// Flat 3 × 7.60.
	cmp := mustRun(t, dsn, "compare", "--site", "hot", "--tariff", "Warmth", "--tariff", "Flat", "--capacity", "5kWh", "--format", "json")
	var c struct {
		Data struct {
			Warnings []string `json:"warnings"`
		} `json:"data"`
		Plans []struct {
			Name         string  `json:"name"`
			Current      bool    `json:"current"`
			BaselineCost float64 `json:"baseline_cost"`
		} `json:"plans"`
	}
	if err := json.Unmarshal([]byte(cmp), &c); err != nil {
		t.Fatalf("compare --format json: %v\n%s", err, cmp)
	}
	got := map[string]float64{}
	for _, p := range c.Plans {
		if !p.Current {
			got[p.Name] = p.BaselineCost
		}
	}
	if got["Warmth"] != 18.05 || got["Flat"] != 22.80 {
		t.Errorf("compare: %v, want Warmth 18.05 and Flat 22.80", got)
	}
	// Flat over all three days: 29.4 kWh of controlled load at its
	// general rates, said once.
	w := `tariff "Flat" has no controlled-load rate: the site's 29.4 kWh of controlled load are priced at its general rates`
	if n := strings.Count(strings.Join(c.Data.Warnings, "\n"), w); n != 1 {
		t.Errorf("compare warns %d times %q:\n%s", n, w, strings.Join(c.Data.Warnings, "\n"))
	}
}
