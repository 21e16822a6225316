package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/report"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func mustMoney(t *testing.T, s string) models.Money {
	t.Helper()
	m, err := models.ParseMoney(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func dateOf(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// A report shows what it stands on: a gap in all data with its dates,
// stretches where one grid channel had no rows, a bill priced on part of
// its days ("10 of 16"), the power limit in force, a payback beyond the
// lifetime, and the convention under the report; JSON lists the same on
// the site's clock. (That Compute finds them is report's
// TestReportSaysWhatItStandsOn.)
func TestReportSaysWhatItStandsOn(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Australia/Adelaide")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	price := report.Price{Fixed: 100000 * models.Unit}
	total := price.For(5000)
	cfg := battery.Config{CapacityWh: 5000, Efficiency: 0.9, ChargePowerW: 2000, DischargePowerW: 2000}
	rep := &report.Report{
		Site: "home", TimeZone: "Australia/Adelaide", Currency: "AUD", DaysPriced: 10, LifetimeYears: 10,
		Price: &price, Best: 0, BestBy: "payback",
		Data: &battery.Report{First: at("2024-03-01 00:00"), End: at("2024-03-11 00:00"), Intervals: 472,
			Nominal: 30 * time.Minute, Gaps: 1, GapTime: 4 * time.Hour, LongestGap: 4 * time.Hour},
		Gaps: []report.Gap{{From: at("2024-03-04 10:00"), To: at("2024-03-04 14:00")}},
		ChannelGaps: []report.ChannelGap{
			{Channel: "export", From: at("2024-03-06 00:00"), To: at("2024-03-08 00:00")},
			{Channel: "import", From: at("2024-03-10 00:00"), To: at("2024-03-11 00:00")},
		},
		Results: []report.Result{{
			Config: cfg, Label: cfg.Label(), Convention: "full model",
			Periods:        []report.PeriodResult{{Start: dateOf("2024-03-01"), End: dateOf("2024-03-17"), Tariff: "Flat", Days: 10, PeriodDays: 16}},
			SavingsPerYear: mustMoney(t, "800"), Price: &total, PaybackYears: 125,
		}},
	}
	var out bytes.Buffer
	if err := Write(&out, rep, FormatTable); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Gap: no data from 2024-03-04 10:00 to 2024-03-04 14:00 (4h0m0s)",
		"Missing export data from 2024-03-06 00:00 to 2024-03-08 00:00 (48h0m0s) while other data is present: counted as zero export there.",
		"Missing import data from 2024-03-10 00:00 to 2024-03-11 00:00 (24h0m0s)",
		"2024-03-01 to 2024-03-16 (10 of 16 days)", "│ 10 of 16 │",
		"Power limit: 2 kW charge, 2 kW discharge, on the AC side of the battery's inverter",
		"125.0 years at a price of 100000.00 (beyond its 10-year life)",
		"Payback and NPV assume the savings over the data priced repeat equally every year,", "Lifetime: 10 years.", "money in AUD",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := Write(&out, rep, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Data struct {
			GapList     []struct{ From, To string } `json:"gap_list"`
			ChannelGaps []struct {
				Channel string  `json:"channel"`
				From    string  `json:"from"`
				Hours   float64 `json:"hours"`
			} `json:"channel_gaps"`
		} `json:"data"`
		FinanceConvention string `json:"finance_convention"`
		Results           []struct {
			PaybackWithinLifetime *bool `json:"payback_within_lifetime"`
			Periods               []struct {
				Days       int `json:"days"`
				PeriodDays int `json:"period_days"`
			} `json:"periods"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Data.GapList) != 1 || doc.Data.GapList[0].From != "2024-03-04T10:00:00+10:30" ||
		len(doc.Data.ChannelGaps) != 2 || doc.Data.ChannelGaps[0].Channel != "export" || doc.Data.ChannelGaps[0].Hours != 48 ||
		doc.FinanceConvention != report.FinanceConvention || doc.Results[0].PaybackWithinLifetime == nil || *doc.Results[0].PaybackWithinLifetime ||
		doc.Results[0].Periods[0].Days != 10 || doc.Results[0].Periods[0].PeriodDays != 16 {
		t.Errorf("json: %s", out.String())
	}

	// A payback within the lifetime is not flagged.
	rep.Results[0].PaybackYears, rep.Results[0].PaysBackInLifetime = 2.5, true
	out.Reset()
	if err := Write(&out, rep, FormatTable); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2.5 years at a price of 100000.00\n") || strings.Contains(out.String(), "beyond its") {
		t.Errorf("a payback within the lifetime:\n%s", out.String())
	}
}

// Period rows are bills: each is its exact cost rounded to the cent, and
// the total row holds the report's totals, which are the sums of the bills
// (1.004 + 1.004 shows as 1.00 and 1.00, totalling 2.00, not 2.01).
func TestPeriodRowsAreBills(t *testing.T) {
	t.Parallel()
	m := func(s string) models.Money { return mustMoney(t, s) }
	period := func(start, end string, days int) report.PeriodResult {
		return report.PeriodResult{Start: dateOf(start), End: dateOf(end), Tariff: "Flat", Days: days, PeriodDays: days,
			BaselineCosts: tariff.Costs{Usage: m("1.004")}, Costs: tariff.Costs{Usage: m("0.005")}}
	}
	cfg := battery.Config{CapacityWh: 1000, Efficiency: 0.9}
	rep := &report.Report{Site: "s", TimeZone: "UTC", DaysPriced: 60, Currency: report.DefaultCurrency, Best: -1, LifetimeYears: 10,
		Data: &battery.Report{Intervals: 2, Nominal: time.Hour, First: dateOf("2024-01-01"), End: dateOf("2024-03-01")},
		Results: []report.Result{{Config: cfg, Label: cfg.Label(),
			Periods:      []report.PeriodResult{period("2024-01-01", "2024-02-01", 31), period("2024-02-01", "2024-03-01", 29)},
			BaselineCost: m("2.00"), Cost: m("0.02"), Savings: m("1.98")}}}
	var out bytes.Buffer
	if err := Write(&out, rep, FormatTable); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"│ 31 │ 1.00 │ 0.01 │ 0.99 │", "│ TOTAL │ │ 60 │ 2.00 │ 0.02 │ 1.98 │"} {
		if !strings.Contains(flat, want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := Write(&out, rep, FormatJSON); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"baseline_cost": 2.00`) || !strings.Contains(out.String(), `"baseline_cost": 1.00`) {
		t.Errorf("json totals are not the sums of the bills:\n%s", out.String())
	}
}

// The sweep chart names its currency, starts its y axis at 0 and leaves
// room around the markers so none sits on an axis or the frame.
func TestSweepChartAxes(t *testing.T) {
	t.Parallel()
	rep := &report.Report{Site: "s", Currency: "AUD", Best: 2, BestBy: "savings"}
	for i, y := range []string{"100", "250", "300"} {
		rep.Results = append(rep.Results, report.Result{Config: battery.Config{CapacityWh: float64(5000 * (i + 1))}, SavingsPerYear: mustMoney(t, y)})
	}
	p, err := sweepChart(rep)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Label.Text != "Savings per year (AUD)" {
		t.Errorf("y label %q does not name the currency", p.Y.Label.Text)
	}
	if p.Y.Min != 0 || p.Y.Max <= 300 {
		t.Errorf("y axis from %v to %v, want from 0 to above 300", p.Y.Min, p.Y.Max)
	}
	if p.X.Min >= 5 || p.X.Min < 0 || p.X.Max <= 15 {
		t.Errorf("x axis from %v to %v kWh: markers at 5 and 15 kWh would sit on the frame", p.X.Min, p.X.Max)
	}
	// A battery that loses money takes the axis below 0, with room.
	rep.Results[0].SavingsPerYear = mustMoney(t, "-50")
	if p, err = sweepChart(rep); err != nil {
		t.Fatal(err)
	}
	if p.Y.Min >= -50 {
		t.Errorf("y axis from %v with a saving of -50", p.Y.Min)
	}
}

// A chart's file name must say SVG or PNG, whatever its case; anything
// else is refused before a report is computed.
func TestCheckChart(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"a.svg", "dir/b.PNG", "c.Svg"} {
		if err := CheckChart(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"a.pdf", "chart", "svg", "a.svg.txt"} {
		if err := CheckChart(bad); err == nil || !strings.Contains(err.Error(), "ending in .svg or .png") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}
