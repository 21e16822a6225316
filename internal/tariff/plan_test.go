package tariff

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

func TestParsePlanExample(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "tou_plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	comps, err := ParsePlan(data)
	if err != nil {
		t.Fatal(err)
	}
	tariff := &Tariff{Name: "example", Components: comps}
	if err := tariff.Validate(); err != nil {
		t.Fatalf("the README's example plan is not a valid tariff: %v", err)
	}
	var got []string
	for _, c := range comps {
		got = append(got, c.Category().String()+" "+labelOrDash(c)+": "+c.Describe())
	}
	want := []string{
		"supply -: 1.10 per day",
		"feed-in -: 0.05 per kWh exported, 21:00–16:00",
		"feed-in Evening: 0.12 per kWh exported, 16:00–21:00",
		"demand -: 0.2475 per kW per day of the billing period's peak half-hour, Mon–Fri 15:00–21:00",
		"usage Peak: 0.55 per kWh imported, Mon–Fri 14:00–20:00, 11-01 to 03-31",
		"usage Shoulder: 0.30 per kWh imported, Mon–Fri 07:00–14:00, 11-01 to 03-31",
		"usage Shoulder: 0.30 per kWh imported, Mon–Fri 20:00–22:00, 11-01 to 03-31",
		"usage Off-peak: 0.18 per kWh imported, Mon–Fri 22:00–07:00, 11-01 to 03-31",
		"usage Off-peak: 0.18 per kWh imported, Sat, Sun, 11-01 to 03-31",
		"usage -: 0.27 per kWh imported, 04-01 to 10-31",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("components:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func labelOrDash(c Component) string {
	if l := c.ComponentBase().Label; l != "" {
		return l
	}
	return "-"
}

func TestParsePlanFlatAndMonths(t *testing.T) {
	t.Parallel()
	comps, err := ParsePlan([]byte(`{
		"dailySupplyCharge": "0.9350",
		"tariffPeriod": [
			{"startMonth": 12, "endMonth": 2, "rates": [{"unitPrice": 0.40}]},
			{"startMonth": 3, "endMonth": 11, "rates": [{"unitPrice": "0.25"}],
			 "demandCharges": [{"amount": 0.1, "measurementPeriod": "DAY"}]}
		]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(comps) != 4 {
		t.Fatalf("%d components, want 4", len(comps))
	}
	if s := comps[0].(*DailySupplyCharge).Amount; s != 935_000_000 {
		t.Errorf("supply = %s", s)
	}
	summer := comps[1].(*UsageRate)
	if *summer.SeasonStart != "12-01" || *summer.SeasonEnd != "02-29" {
		t.Errorf("December to February = %s to %s, want 12-01 to 02-29", *summer.SeasonStart, *summer.SeasonEnd)
	}
	winter := comps[2].(*UsageRate)
	if *winter.SeasonStart != "03-01" || *winter.SeasonEnd != "11-30" {
		t.Errorf("March to November = %s to %s", *winter.SeasonStart, *winter.SeasonEnd)
	}
	if d := comps[3].(*DemandCharge); d.MeasuredOver != models.DemandOverDay || *d.SeasonStart != "03-01" {
		t.Errorf("demand = %+v", d)
	}
	if err := CheckCoverage(comps); err != nil {
		t.Errorf("seasons by month should cover the year: %v", err)
	}
}

// TestParsePlanCDREndMinutes reads windows as CDR plans write them, ending
// on the last minute ("14:59", "23:59"): together they must cover every
// instant exactly once, with nothing left at the end of the day.
func TestParsePlanCDREndMinutes(t *testing.T) {
	t.Parallel()
	comps, err := ParsePlan([]byte(`{"timeOfUseRates": [
		{"displayName": "Peak", "unitPrice": 0.5, "startTime": "15:00", "endTime": "23:59"},
		{"displayName": "Off-peak", "unitPrice": 0.2, "startTime": "00:00", "endTime": "14:59"}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCoverage(comps); err != nil {
		t.Fatalf("CDR-style windows should cover the day: %v", err)
	}
	peak := comps[0].(*UsageRate)
	if *peak.StartTime != 15*3600 || *peak.EndTime != models.Midnight24 {
		t.Errorf("peak runs %v to %v, want 15:00 to 24:00", *peak.StartTime, *peak.EndTime)
	}
	if off := comps[1].(*UsageRate); *off.EndTime != 15*3600 {
		t.Errorf("off-peak ends at %v, want 15:00", *off.EndTime)
	}
}

func TestParsePlanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan string
		want string
	}{
		{`{"timeOfUseRates": [{"unitPrice": 0.2, "startTime": "07:00", "endTime": "14:00"},
		   {"unitPrice": 0.5, "startTime": "25:00", "endTime": "20:00"}]}`,
			`$.timeOfUseRates[1].startTime: "25:00" is not a time`},
		{`{"dailySupplyCharge": "abc"}`, `$.dailySupplyCharge: "abc" is not an amount: is not a number`},
		{`{"dailySupplyCharge": 1.1234567891}`, `$.dailySupplyCharge: "1.1234567891" is not an amount: has more than 9 decimal places`},
		{`{"dailySupplyCharge": [1]}`, `$.dailySupplyCharge: want an amount (a number such as 0.30), got a list`},
		{`{"rates": [{"unitPrice": 0.3}, {"unitPrice": 0.2}]}`, `$.rates[0]: volume is missing`},
		{`{"rates": [{"unitPrice": 0.3, "volume": -1}, {"unitPrice": 0.2}]}`, `$.rates[0].volume: want a positive number of kWh, got -1`},
		{`{"rates": [{"unitPrice": 0.3, "volume": 10}, {"unitPrice": 0.2}], "period": "P1Q"}`, `$.period: "P1Q" is not an ISO 8601 duration`},
		{`{"period": "P1D", "timeOfUseRates": [{"unitPrice": 0.3}]}`, `$.period: a block period without rates`},
		{`{"rates": [{"price": 0.3}]}`, `$.rates[0].price: unknown field (known here: unitPrice, volume, measureUnit)`},
		{`{"rates": [{}]}`, `$.rates[0]: unitPrice is missing`},
		{`{"rates": {"unitPrice": 0.3}}`, `$.rates: want a list, got an object`},
		{`{"usage": 0.3}`, `$.usage: unknown field`},
		{`[]`, `$: want an object, got a list`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "days": ["MON", "FUN"]}]}`, `$.timeOfUseRates[0].days[1]: "FUN" is not a day`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "days": ["MON", "MON"]}]}`, `$.timeOfUseRates[0].days[1]: "MON" is listed twice`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "days": ["PUBLIC_HOLIDAYS", "SUN", "PUBLIC_HOLIDAYS"]}]}`, `$.timeOfUseRates[0].days[2]: "PUBLIC_HOLIDAYS" is listed twice`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "days": []}]}`, `$.timeOfUseRates[0].days: want a non-empty list`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "startTime": "07:00"}]}`, `$.timeOfUseRates[0]: endTime is missing`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "startTime": "07:00", "endTime": "07:00"}]}`, `$.timeOfUseRates[0].endTime: "07:00" is also the start time`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "startTime": "24:00", "endTime": "07:00"}]}`, `$.timeOfUseRates[0].startTime: a window cannot start at 24:00`},
		{`{"timeOfUseRates": [{"unitPrice": -0.5}]}`, `$.timeOfUseRates[0]: usage rate: rate -0.50 is negative`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "timeOfUse": [{"startTime": "07:00", "endTime": "9am"}]}]}`,
			`$.timeOfUseRates[0].timeOfUse[0].endTime: "9am" is not a time`},
		{`{"timeOfUseRates": [{"unitPrice": 0.5, "days": ["MON"], "timeOfUse": [{"days": ["TUE"]}]}]}`,
			`$.timeOfUseRates[0].days: give the window either here or in timeOfUse, not both`},
		{`{"solarFeedInTariff": [{"unitPrice": 0.05, "startTime": 16, "endTime": "21:00"}]}`,
			`$.solarFeedInTariff[0].startTime: want a "HH:MM" string, got 16`},
		{`{"demandCharges": [{"amount": 0.3, "measurementPeriod": "MONTH"}]}`,
			`$.demandCharges[0].measurementPeriod: "MONTH" is not DAY or BILLING_PERIOD`},
		{`{"tariffPeriod": [{"rates": [{"unitPrice": 0.3}]}]}`, `$.tariffPeriod[0]: a tariffPeriod needs startDate and endDate`},
		{`{"tariffPeriod": [{"startDate": "11-01", "endDate": "02-30"}]}`, `$.tariffPeriod[0].endDate: "02-30" is not a MM-DD day`},
		{`{"tariffPeriod": [{"startMonth": 0, "endMonth": 3}]}`, `$.tariffPeriod[0].startMonth: want a month number 1-12, got 0`},
		{`{"tariffPeriod": [{"startDate": "11-01", "endDate": "03-31", "dailySupplyCharge": 1}]}`,
			`$.tariffPeriod[0].dailySupplyCharge: supply charges cannot vary by season`},
		{"{\n  \"rates\": [\n    {\"unitPrice\": 0.3,}\n  ]\n}", `line 3, column 23: not valid JSON: invalid character '}'`},
		{`{"rates": [`, `line 1, column 12: not valid JSON: unexpected end of file`},
		{`{} {}`, `$: unexpected data after the plan object`},
	}
	for _, tt := range tests {
		_, err := ParsePlan([]byte(tt.plan))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParsePlan(%s)\n got: %v\nwant: %s", tt.plan, err, tt.want)
		}
	}
	_, err := ParsePlan([]byte(`{"timeOfUseRates": [{"unitPrice": 0.5, "startTime": "x", "endTime": "y"}]}`))
	var pe *PlanError
	if !errors.As(err, &pe) || pe.Path != "$.timeOfUseRates[0].startTime" {
		t.Errorf("want a *PlanError with the path, got %#v", err)
	}
}

// TestREADMEPlan keeps the plan example in README.md a valid tariff.
func TestREADMEPlan(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Skipf("README.md not found: %v", err)
	}
	s := string(readme)
	i := strings.Index(s, "**Plan files**")
	if i < 0 {
		t.Fatal("README.md has no **Plan files** section")
	}
	start := strings.Index(s[i:], "```json\n")
	if start < 0 {
		t.Fatal("the Plan files section has no json example")
	}
	body := s[i+start+len("```json\n"):]
	body = body[:strings.Index(body, "```")]
	comps, err := ParsePlan([]byte(body))
	if err != nil {
		t.Fatalf("README plan: %v", err)
	}
	if err := (&Tariff{Name: "README", Components: comps}).Validate(); err != nil {
		t.Fatalf("README plan: %v", err)
	}
}

// Block rates in solarview's own format: 10 kWh a day at 0.25, the rest at
// 0.31; 15 kWh on one day cost 2.50 + 1.55.
func TestOwnFormatBlockRates(t *testing.T) {
	t.Parallel()
	p, err := ReadPlan([]byte(`{"rates": [{"unitPrice": 0.25, "volume": 10}, {"unitPrice": "0.31"}], "period": "P1D"}`), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != FormatSolarview || p.GSTPercent != 0 || len(p.Components) != 1 {
		t.Fatalf("plan %+v", p)
	}
	pr := pricer(t, time.UTC, "2024-01-01", "2024-02-01", p.Components...)
	a := pr.NewAccumulator()
	start := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	feed(a, start, start.Add(15*time.Hour), time.Hour, 1000, 0)
	feed(a, start.AddDate(0, 0, 1), start.AddDate(0, 0, 1).Add(4*time.Hour), time.Hour, 1000, 0)
	r := mustResult(t, a)
	if d := r.Periods[0].Days; d[0].Costs.Usage.String() != "4.05" || d[1].Costs.Usage.String() != "1.00" {
		t.Errorf("days cost %s and %s, want 4.05 and 1.00 (the count starts again each day)", d[0].Costs.Usage, d[1].Costs.Usage)
	}
	ten := 10 * models.Unit
	p, err = ReadPlan([]byte(`{"dailySupplyCharge": 1, "solarFeedInTariff": [{"unitPrice": 0.05}]}`), PlanOptions{GSTPercent: &ten})
	if err != nil || p.Components[0].(*DailySupplyCharge).Amount.String() != "1.10" || p.Components[1].(*FeedInRate).Rate.String() != "0.05" {
		t.Errorf("--gst on an own plan: %+v, %v", p, err)
	}
}
