package render

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report"
	"github.com/solarview/solarview/internal/report/reporttest"
	"github.com/solarview/solarview/models"
)

// centsOf is an amount as JSON shows it.
func centsOf(t *testing.T, m models.Money) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(cents(m).String(), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Every output of a comparison holds its figures: the current plan and
// three others, three batteries each, computed from the data as `compare`
// does (that they equal each plan's battery report is report's
// TestCompareEqualsBatteryReportPerPlanAndReadsOnce).
func TestComparisonOutputs(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	loc, err := time.LoadLocation("Australia/Adelaide")
	if err != nil {
		t.Fatal(err)
	}
	// 51 days: March whole, April on 20 of its 30 days.
	rows := reporttest.HouseholdRows(time.Date(2024, 3, 1, 0, 0, 0, 0, loc), 51)
	current := reporttest.AddFlatTariff(t, db, "Current", "1.00", "0.30", "0.05")
	reporttest.AddFlatTariff(t, db, "Cheap flat", "1.20", "0.24", "0.03")
	reporttest.AddFlatTariff(t, db, "Low supply", "0.50", "0.36", "0.04")
	reporttest.AddFlatTariff(t, db, "High feed-in", "0.90", "0.33", "0.12")
	home := reporttest.AddSite(t, db, "home", "Australia/Adelaide")
	reporttest.Load(t, db, home, 30*time.Minute, rows)
	reporttest.AddPeriods(t, db, home, current, "2024-03-01", "2024-04-30", "month")

	price := report.Price{PerKWh: 800 * models.Unit}
	rate := 0.05
	sizes := []battery.Config{{CapacityWh: 3000, Efficiency: 0.9}, {CapacityWh: 6000, Efficiency: 0.9}, {CapacityWh: 10000, Efficiency: 0.9}}
	cmp, err := report.ComputeComparison(context.Background(), db, report.CompareOptions{
		Options: report.Options{Site: "home", Batteries: sizes, Price: &price, DiscountRate: &rate},
		Tariffs: []string{"Cheap flat", "Low supply", "High feed-in"},
	})
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := WriteComparison(&out, cmp, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Boundaries string `json:"boundaries"`
		Plans      []struct {
			Rank       int     `json:"rank"`
			Name       string  `json:"name"`
			Current    bool    `json:"current"`
			YearlyCost float64 `json:"yearly_cost"`
			Results    []struct {
				Savings float64 `json:"savings"`
			} `json:"results"`
		} `json:"plans"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, out.String())
	}
	if len(doc.Plans) != 4 || !doc.Plans[0].Current || doc.Plans[0].Rank != 0 || doc.Plans[1].Name != cmp.Plans[0].Name ||
		len(doc.Plans[1].Results) != 3 || doc.Plans[1].YearlyCost != centsOf(t, cmp.Plans[0].YearlyCost) ||
		doc.Plans[1].Results[2].Savings != centsOf(t, cmp.Plans[0].Report.Results[2].Savings) || doc.Boundaries != "billing periods" {
		t.Errorf("json plans: %+v", doc)
	}
	out.Reset()
	if err := WriteComparison(&out, cmp, FormatTable); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`Plans for site "home"`, "current: Current", "Cheap flat", "Low supply", "High feed-in",
		"COST/YEAR", "BEST BATTERY", "PAYBACK", "NPV", "money in AUD", "Payback and NPV assume", "priced as if the site had been on it",
		"2 bills in the site's billing periods, 2024-03-01 to 2024-04-30, 51 days priced", "2024-04-01 to 2024-04-30 (20 of 30 days)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := WriteComparison(&out, cmp, FormatCSV); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 1+4*4 {
		t.Errorf("csv: %d lines, want a header and 4 per plan:\n%s", n, out.String())
	}
	chart := t.TempDir() + "/plans.svg"
	if err := DrawComparisonChart(cmp, chart); err != nil {
		t.Fatal(err)
	}
	p, err := comparisonChart(cmp)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Min != 0 || !strings.Contains(p.Y.Label.Text, "AUD") {
		t.Errorf("comparison chart: y from %v, label %q", p.Y.Min, p.Y.Label.Text)
	}
}
