package commands

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/report"
)

// compare from the command line: plans named with --tariff (one with a
// comma in its name), a sweep, every format and a chart. The current
// plan's cells are what `battery` prints for the same sizes.
func TestCompareCommand(t *testing.T) {
	t.Parallel()
	dsn := smallSite(t)
	mustRun(t, dsn, "tariff", "add", "Cheap, no feed-in", "--retailer", "R", "--supply", "0.80", "--usage", "0.28", "--feed-in", "0")
	mustRun(t, dsn, "tariff", "add", "Pricey", "--retailer", "R", "--supply", "1.30", "--usage", "0.40", "--feed-in", "0.10")

	args := []string{"compare", "--site", "home", "--tariff", "Cheap, no feed-in", "--tariff", "Pricey", "--sweep", "5kWh,10kWh", "--price", "4000"}
	var doc struct {
		Boundaries string `json:"boundaries"`
		Plans      []struct {
			Name       string  `json:"name"`
			Current    bool    `json:"current"`
			YearlyCost float64 `json:"yearly_cost"`
			Results    []struct {
				Savings float64 `json:"savings"`
				Cost    float64 `json:"cost"`
			} `json:"results"`
		} `json:"plans"`
	}
	out := mustRun(t, dsn, append(args, "--format", "json")...)
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("compare --format json: %v\n%s", err, out)
	}
	if len(doc.Plans) != 3 || !doc.Plans[0].Current || doc.Plans[0].Name != "current: Flat" || doc.Boundaries != "billing periods" {
		t.Fatalf("plans: %+v", doc.Plans)
	}
	if doc.Plans[1].Name != "Cheap, no feed-in" || doc.Plans[2].Name != "Pricey" || doc.Plans[1].YearlyCost >= doc.Plans[2].YearlyCost {
		t.Errorf("plans not ranked cheapest first: %+v", doc.Plans[1:])
	}
	bat := decodeBattery(t, mustRun(t, dsn, "battery", "--site", "home", "--sweep", "5kWh,10kWh", "--price", "4000", "--format", "json"))
	for i, r := range bat.Results {
		if got := doc.Plans[0].Results[i]; got.Savings != r.Savings {
			t.Errorf("current plan, %v Wh: compare saves %v, battery %v", r.CapacityWh, got.Savings, r.Savings)
		}
	}

	dir := t.TempDir()
	table := mustRun(t, dsn, append(args, "--chart", filepath.Join(dir, "plans.png"))...)
	flat := strings.Join(strings.Fields(table), " ")
	for _, want := range []string{"current: Flat", "Cheap, no feed-in", "Pricey", "BEST BATTERY", report.FinanceConvention} {
		if !strings.Contains(flat, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if png, err := os.ReadFile(filepath.Join(dir, "plans.png")); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("plans.png is not a PNG (%v)", err)
	}
	csvOut := mustRun(t, dsn, append(args, "--format", "csv")...)
	if n := strings.Count(csvOut, "\n"); n != 1+3*3 || !strings.HasPrefix(csvOut, "rank,plan,current,battery") {
		t.Errorf("csv: %d lines, want a header and 3 per plan:\n%s", n, csvOut)
	}
	if all := mustRun(t, dsn, "compare", "--all-tariffs", "--format", "csv"); strings.Count(all, "\n") != 1+4*2 {
		t.Errorf("--all-tariffs: want the current plan and the 3 tariffs, each without and with one battery:\n%s", all)
	}

	// The payback convention is in --help of both commands.
	for _, cmd := range []string{"battery", "compare"} {
		if help := mustRun(t, dsn, cmd, "--help"); !strings.Contains(strings.Join(strings.Fields(help), " "), "Payback and NPV assume the savings") {
			t.Errorf("%s --help does not state the payback convention:\n%s", cmd, help)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--site", "home"}, "name the plans to compare with --tariff"},
		{[]string{"compare", "--site", "home", "--tariff", "Pricey", "--all-tariffs"}, "either --tariff or --all-tariffs"},
		{[]string{"compare", "--site", "home", "--tariff", "Pricy"}, `no tariff named "Pricy"`},
		{[]string{"compare", "--site", "home", "--tariff", "Pricey", "--tariff", "Pricey"}, `tariff "Pricey" is named twice`},
		{[]string{"compare", "--site", "home", "--tariff", "Pricey", "--capacity", "0kWh"}, "battery capacity must be greater than 0 Wh"},
		{[]string{"compare", "--site", "hom", "--tariff", "Pricey"}, `did you mean "home"?`},
	} {
		r := run(t, dsn, tt.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tt.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
			t.Errorf("solarview %s: exit %d, stderr %q, stdout %q; want one line containing %q",
				strings.Join(tt.args, " "), r.code, r.stderr, r.stdout, tt.want)
		}
	}
}
