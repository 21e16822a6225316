package commands

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/demo"
	"github.com/solarview/solarview/internal/report/reporttest"
)

// fleetJSON is `battery --all-sites --format json`, as far as the tests
// read it.
type fleetJSON struct {
	RankedBy string `json:"ranked_by"`
	Reported int    `json:"reported"`
	Skipped  int    `json:"skipped"`
	Sites    []struct {
		Rank           *int     `json:"rank"`
		Site           string   `json:"site"`
		First          string   `json:"first"`
		Last           string   `json:"last"`
		CapacityWh     float64  `json:"capacity_wh"`
		SavingsPerYear float64  `json:"savings_per_year"`
		PaybackYears   *float64 `json:"payback_years"`
		NPV            *float64 `json:"npv"`
		Reason         *string  `json:"reason"`
	} `json:"sites"`
}

// fleetDSN is a database with three reportable sites (imported, on the
// demo's tariff from its plan file, monthly bills added from the CLI), one
// without billing periods and one without data.
func fleetDSN(t *testing.T) (dsn string, reportable []string) {
	t.Helper()
	dsn = dbtest.NewDatabase(t, true)
	plan := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(plan, demo.Plan, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dsn, "tariff", "add", "Fleet TOU", "--retailer", "Co-op", "--file", plan)
	db, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 4 {
		h := demo.FleetHousehold(i)
		reporttest.ImportHousehold(t, db, h, 7)
		if i < 3 {
			mustRun(t, dsn, "billing", "add", "--site", h.Name, "--tariff", "Fleet TOU", "--from", "2024-01-01", "--to", "2024-01-31")
			reportable = append(reportable, h.Name)
		}
	}
	mustRun(t, dsn, "site", "add", "empty", "--tz", "Australia/Perth")
	return dsn, reportable
}

func decodeFleet(t *testing.T, out string) fleetJSON {
	t.Helper()
	var doc fleetJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return doc
}

func TestBatteryAllSites(t *testing.T) {
	t.Parallel()
	dsn, reportable := fleetDSN(t)
	args := []string{"battery", "--all-sites", "--capacity", "10kWh", "--price", "9000", "--discount-rate", "5%", "--format", "json"}
	out := mustRun(t, dsn, args...)
	doc := decodeFleet(t, out)
	if doc.RankedBy != "savings_per_year" || doc.Reported != 3 || doc.Skipped != 2 || len(doc.Sites) != 5 {
		t.Fatalf("want 3 reported and 2 skipped sites:\n%s", out)
	}
	for i, s := range doc.Sites {
		if i < 3 {
			if s.Rank == nil || *s.Rank != i+1 || s.Reason != nil {
				t.Fatalf("entry %d: %s", i, out)
			}
			if i > 0 && s.SavingsPerYear > doc.Sites[i-1].SavingsPerYear {
				t.Errorf("%s saves %v a year, ranked below %v", s.Site, s.SavingsPerYear, doc.Sites[i-1].SavingsPerYear)
			}
			// The row is the site's own report, in brief.
			one := mustRun(t, dsn, "battery", "--site", s.Site, "--capacity", "10kWh", "--price", "9000", "--discount-rate", "5%", "--format", "json")
			var single struct {
				Data struct {
					First string `json:"first"`
				} `json:"data"`
				Results []struct {
					CapacityWh     float64  `json:"capacity_wh"`
					SavingsPerYear float64  `json:"savings_per_year"`
					PaybackYears   *float64 `json:"payback_years"`
					NPV            *float64 `json:"npv"`
				} `json:"results"`
			}
			if err := json.Unmarshal([]byte(one), &single); err != nil {
				t.Fatal(err)
			}
			r := single.Results[0]
			if r.SavingsPerYear != s.SavingsPerYear || r.CapacityWh != s.CapacityWh ||
				r.PaybackYears == nil || s.PaybackYears == nil || *r.PaybackYears != *s.PaybackYears ||
				r.NPV == nil || s.NPV == nil || *r.NPV != *s.NPV {
				t.Errorf("%s: fleet row %+v, single-site report %+v", s.Site, s, r)
			}
			if s.First != "2024-01-01" || s.Last != "2024-01-07" {
				t.Errorf("%s: data %s to %s, want 2024-01-01 to 2024-01-07", s.Site, s.First, s.Last)
			}
			continue
		}
		if s.Rank != nil || s.Reason == nil {
			t.Fatalf("entry %d should be skipped with a reason: %s", i, out)
		}
	}
	if doc.Sites[3].Site != "empty" || !strings.Contains(*doc.Sites[3].Reason, "billing period") ||
		doc.Sites[4].Site != "fleet-00004" || !strings.Contains(*doc.Sites[4].Reason, "billing period") {
		t.Errorf("skipped: %s", out)
	}

	// The same, one site at a time and four at once.
	for _, jobs := range []string{"1", "4"} {
		if got := mustRun(t, dsn, append(args, "--jobs", jobs)...); got != out {
			t.Errorf("--jobs %s changes the output:\n%s\nwant\n%s", jobs, got, out)
		}
	}

	// --site twice: those two only, ranked the same way.
	two := decodeFleet(t, mustRun(t, dsn, "battery", "--site", reportable[2], "--site", reportable[0], "--capacity", "10kWh", "--format", "json"))
	if len(two.Sites) != 2 || two.Reported != 2 || !sameSet(t, []string{two.Sites[0].Site, two.Sites[1].Site}, []string{reportable[0], reportable[2]}) {
		t.Errorf("--site twice: %+v", two)
	}

	// CSV: a header and one line per site; the table lists the skipped
	// sites with their reasons.
	recs, err := csv.NewReader(strings.NewReader(mustRun(t, dsn, "battery", "--all-sites", "--format", "csv"))).ReadAll()
	if err != nil || len(recs) != 6 || recs[0][0] != "rank" || recs[1][0] != "1" || recs[5][0] != "" || recs[5][len(recs[5])-1] == "" {
		t.Errorf("csv: %v %q", err, recs)
	}
	table := mustRun(t, dsn, "battery", "--all-sites", "--sweep", "5kWh,10kWh", "--price", "600/kWh")
	for _, want := range []string{"3 reported, 2 skipped", "best of 2 sizes by payback", "Skipped (2):", "empty: ", "fleet-00004: ", reportable[1]} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}

func sameSet(t *testing.T, a, b []string) bool {
	t.Helper()
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, s := range a {
		m[s] = true
	}
	for _, s := range b {
		if !m[s] {
			return false
		}
	}
	return true
}

// Only when no chosen site can be reported is the exit code 1; the rows
// are printed all the same. Flags that make sense for one site only are
// refused with several.
func TestBatteryAllSitesRefusals(t *testing.T) {
	t.Parallel()
	dsn, reportable := fleetDSN(t)
	r := run(t, dsn, "battery", "--site", "empty", "--site", "fleet-00004", "--format", "json")
	if r.code != 1 || !strings.Contains(r.stderr, "no site could be reported") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if doc := decodeFleet(t, r.stdout); len(doc.Sites) != 2 || doc.Reported != 0 {
		t.Errorf("stdout: %s", r.stdout)
	}
	for _, args := range [][]string{
		{"battery", "--all-sites", "--site", reportable[0]},
		{"battery", "--all-sites", "--chart", "x.svg"},
		{"battery", "--all-sites", "--jobs", "0"},
		{"battery", "--site", reportable[0], "--jobs", "2"},
		{"battery", "--site", reportable[0], "--site", "nope"},
	} {
		r := run(t, dsn, args...)
		if r.code != 1 || r.stdout != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	// One --site keeps the detailed single-site report.
	if out := mustRun(t, dsn, "battery", "--site", reportable[0]); !strings.Contains(out, "Average savings:") {
		t.Errorf("single site:\n%s", out)
	}
}
