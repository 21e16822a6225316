package tariff

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/models"
)

// describeInOrder lists components as the CDR tests do, in order.
func describeInOrder(comps []Component) []string {
	var out []string
	for _, c := range comps {
		out = append(out, labelled(c))
	}
	return out
}

func labelled(c Component) string {
	return displayName(c.Category().String(), c.ComponentBase().Label) + ": " + c.Describe()
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCDRControlledLoad(t *testing.T) {
	t.Parallel()
	p := readCDRFile(t, "controlled_load.json")
	sameLines(t, "components", describeInOrder(p.Components), []string{
		`supply "All year": 1.10 per day`,
		`usage "Anytime": 0.33 per kWh imported, all times`,
		`feed-in "Solar credit": 0.05 per kWh exported, all times`,
		// One supply charge for the circuit, though both rates give it;
		// GST on it and on the rates.
		`supply "Controlled load 1": 0.11 per day for controlled load, on days the site meters it`,
		`usage "Overnight": 0.165 per kWh of controlled load, 22:00–07:00`,
		`usage "Solar soak": 0.11 per kWh of controlled load, 10:00–15:00`,
	})
	sameLines(t, "unpriced", p.Unpriced, []string{
		`controlled load "Controlled load 2" (solarview meters one controlled-load circuit and prices it at the first, "Controlled load 1")`,
		"fee: PAPER_BILL, FIXED, 1.50",
	})
	for _, c := range p.Components[3:] {
		if !ForControlledLoad(c) {
			t.Errorf("%s is not for the controlled load", labelled(c))
		}
	}
	for _, c := range p.Components[:3] {
		if ForControlledLoad(c) {
			t.Errorf("%s is for the controlled load", labelled(c))
		}
	}
	// Gaps between controlled-load windows are allowed.
	if err := (&Tariff{Name: "cl", Components: p.Components}).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestCDRControlledLoadErrors(t *testing.T) {
	t.Parallel()
	wrap := func(cl string) []byte {
		return []byte(`{"planId": "P", "electricityContract": {"timeZone": "LOCAL", "tariffPeriod": [{"startDate": "01-01", "endDate": "12-31",
			"dailySupplyCharge": "1", "rateBlockUType": "singleRate", "singleRate": {"rates": [{"unitPrice": "0.3"}]}}],
			"controlledLoad": ` + cl + `}}`)
	}
	tests := []struct{ cl, want string }{
		{`{"displayName": "CL"}`, `$.electricityContract.controlledLoad: want a list, got an object`},
		{`[{"displayName": "CL", "rateBlockUType": "demandCharges"}]`, `$.electricityContract.controlledLoad[0].rateBlockUType: "demandCharges" is not singleRate or timeOfUseRates`},
		{`[{"displayName": "CL", "rateBlockUType": "singleRate"}]`, `$.electricityContract.controlledLoad[0].singleRate: missing or not an object, though rateBlockUType is singleRate`},
		{`[{"displayName": "CL", "rateBlockUType": "singleRate", "singleRate": {"rates": [{"unitPrice": "0.1", "measureUnit": "KVA"}]}}]`,
			`$.electricityContract.controlledLoad[0].singleRate.rates[0].measureUnit: "KVA": only rates per KWH are priced`},
		{`[{"displayName": "CL", "rateBlockUType": "singleRate", "singleRate": {"dailySupplyCharge": "x", "rates": [{"unitPrice": "0.1"}]}}]`,
			`$.electricityContract.controlledLoad[0].singleRate.dailySupplyCharge: "x" is not an amount: is not a number`},
		{`[{"displayName": "CL", "rateBlockUType": "timeOfUseRates", "timeOfUseRates": []}]`,
			`$.electricityContract.controlledLoad[0].timeOfUseRates: missing or empty, though rateBlockUType is timeOfUseRates`},
	}
	for _, tt := range tests {
		_, err := ReadPlan(wrap(tt.cl), PlanOptions{})
		var pe *PlanError
		if !errors.As(err, &pe) || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.cl, err, tt.want)
		}
	}
}

func TestPlanFormatControlledLoad(t *testing.T) {
	t.Parallel()
	comps, err := ParsePlan([]byte(`{"dailySupplyCharge": 1.00, "rates": [{"unitPrice": 0.30}],
		"timeOfUseRates": [],
		"controlledLoad": {"displayName": "Hot water", "dailySupplyCharge": 0.05,
			"timeOfUseRates": [{"displayName": "Off peak", "unitPrice": 0.15, "startTime": "22:00", "endTime": "07:00"},
				{"displayName": "Weekend days", "unitPrice": 0.12, "days": ["SAT", "SUN"], "startTime": "10:00", "endTime": "15:00"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "components", describeInOrder(comps), []string{
		"supply: 1.00 per day",
		"usage: 0.30 per kWh imported, all times",
		"supply: 0.05 per day for controlled load, on days the site meters it",
		`usage "Off peak": 0.15 per kWh of controlled load, 22:00–07:00`,
		`usage "Weekend days": 0.12 per kWh of controlled load, Sat, Sun 10:00–15:00`,
	})
	if err := (&Tariff{Name: "cl", Components: comps}).Validate(); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct{ plan, want string }{
		{`{"rates": [{"unitPrice": 0.3}], "controlledLoad": {}}`, "$.controlledLoad: give the controlled load a dailySupplyCharge, rates or timeOfUseRates"},
		{`{"rates": [{"unitPrice": 0.3}], "controlledLoad": {"solarFeedInTariff": []}}`, "$.controlledLoad.solarFeedInTariff: unknown field (known here: displayName, dailySupplyCharge, rates, period, timeOfUseRates)"},
		{`{"rates": [{"unitPrice": 0.3}], "controlledLoad": {"rates": [{"unitPrice": -0.1}]}}`, "$.controlledLoad.rates: usage rate: rate -0.10 is negative"},
	} {
		if _, err := ParsePlan([]byte(tt.plan)); err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.plan, err, tt.want)
		}
	}

	// Two controlled-load rates at once are refused, as two general ones
	// are.
	comps, err = ParsePlan([]byte(`{"rates": [{"unitPrice": 0.3}], "controlledLoad": {"rates": [{"unitPrice": 0.1}],
		"timeOfUseRates": [{"unitPrice": 0.15, "startTime": "22:00", "endTime": "07:00"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	err = (&Tariff{Name: "cl", Components: comps}).Validate()
	if err == nil || !strings.Contains(err.Error(), "controlled-load usage rates must not overlap") {
		t.Errorf("overlapping controlled-load rates: %v", err)
	}
}

// TestControlledLoadByHand prices a day of half-hours on the CDR plan of
// testdata/cdr/controlled_load.json, at a site that meters its controlled
// load and at one that does not, against amounts worked out by hand.
func TestControlledLoadByHand(t *testing.T) {
	t.Parallel()
	plan := readCDRFile(t, "controlled_load.json")
	loc := sydney(t)
	pr, err := NewPricer(loc, []Period{{ID: 1, Start: date("2024-03-04"), End: date("2024-03-05"),
		Tariff: &Tariff{Name: "cl", Components: plan.Components}}})
	if err != nil {
		t.Fatal(err)
	}
	withCL, withoutCL := pr.NewAccumulator(), pr.NewAccumulator()
	// Per half-hour: general import, controlled load, export (Wh).
	type slot struct {
		from, to   int // half-hours of the day
		g, cl, exp float64
	}
	day := []slot{
		{0, 14, 100, 400, 0},  // 00:00–07:00, the overnight controlled-load rate
		{14, 20, 300, 0, 0},   // 07:00–10:00
		{20, 30, 0, 200, 800}, // 10:00–15:00, the solar-soak rate
		{30, 32, 0, 100, 300}, // 15:00–16:00: no controlled-load rate, so general
		{32, 44, 600, 0, 0},   // 16:00–22:00
		{44, 48, 200, 500, 0}, // 22:00–24:00, overnight again
	}
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, loc)
	for _, s := range day {
		for h := s.from; h < s.to; h++ {
			in := pr.Locate(start.Add(time.Duration(h) * 30 * time.Minute))
			withCL.AddCL(in, s.g+s.cl, s.exp, s.cl)
			withoutCL.AddCL(in, s.g+s.cl, s.exp, math.NaN())
		}
	}
	// Overnight: 14×400 + 4×500 = 7,600 Wh at 0.165 = 1.254.
	// Solar soak: 10×200 = 2,000 Wh at 0.11 = 0.22.
	// General: 14×100 + 6×300 + 12×600 + 4×200 = 11,200 Wh, plus the
	// 2×100 Wh of controlled load outside its windows: 11.4 kWh at 0.33 =
	// 3.762.
	// Feed-in: 10×800 + 2×300 = 8.6 kWh at 0.05 = 0.43.
	// Supply: 1.10 + 0.11 for the controlled load.
	want := Costs{Supply: money(t, "1.21"), Usage: money(t, "5.236"), FeedIn: money(t, "-0.43")}
	res := mustResult(t, withCL)
	if got := res.Total(); got != want {
		t.Errorf("metering controlled load: %+v, want %+v", got, want)
	}
	pc := res.Periods[0]
	if pc.ControlledLoadWh != 9800 || pc.ControlledLoadAtGeneralWh != 200 || pc.ImportWh != 21000 {
		t.Errorf("controlled load %v Wh, %v Wh of it at general rates, import %v Wh; want 9800, 200, 21000",
			pc.ControlledLoadWh, pc.ControlledLoadAtGeneralWh, pc.ImportWh)
	}
	if got := res.Total().Total().FormatCents(); got != "6.02" {
		t.Errorf("day's bill %s, want 6.02 (6.016)", got)
	}
	// Without a controlled-load channel all 21 kWh are general, and the
	// controlled-load supply charge is not due: 1.10 + 6.93 − 0.43.
	want = Costs{Supply: money(t, "1.10"), Usage: money(t, "6.93"), FeedIn: money(t, "-0.43")}
	if got := mustResult(t, withoutCL).Total(); got != want {
		t.Errorf("without controlled load: %+v, want %+v", got, want)
	}
}

// TestControlledLoadLeavesDemand: where a controlled-load rate applies, the
// controlled load is off the general circuit, whose demand is charged.
func TestControlledLoadLeavesDemand(t *testing.T) {
	t.Parallel()
	loc := sydney(t)
	cl := usage(t, "", "0.10", models.TariffWindow{})
	cl.ControlledLoad = true
	for _, tt := range []struct {
		name  string
		comps []Component
		want  string
	}{
		// 1,000 Wh in the half-hour, 600 of them controlled load: 0.8 kW
		// of general demand at 1.00, 0.4 kWh at 0.30 and 0.6 kWh at 0.10.
		{"controlled-load rate", []Component{usage(t, "", "0.30", models.TariffWindow{}), cl,
			demand(t, "", "1.00", models.DemandOverDay, models.TariffWindow{})}, "0.98"},
		// No controlled-load rate: 2 kW, and 1 kWh at 0.30.
		{"general rates only", []Component{usage(t, "", "0.30", models.TariffWindow{}),
			demand(t, "", "1.00", models.DemandOverDay, models.TariffWindow{})}, "2.30"},
	} {
		p := pricer(t, loc, "2024-03-04", "2024-03-05", tt.comps...)
		a := p.NewAccumulator()
		a.AddCL(p.Locate(time.Date(2024, 3, 4, 18, 0, 0, 0, loc)), 1000, 0, 600)
		if got := mustResult(t, a).Total().Total().FormatCents(); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestControlledLoadStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	data, err := os.ReadFile(filepath.Join("testdata", "cdr", "controlled_load.json"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ReadPlan(data, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tariff{Name: "Hot Water Saver", Retailer: "Warmth Energy", Components: plan.Components}
	if err := SaveTariff(ctx, db, Components, tr); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadTariff(ctx, db, Components, tr.Name)
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "loaded", describeAll(loaded.Components), describeAll(plan.Components))
	cl := 0
	for _, c := range loaded.Components {
		if ForControlledLoad(c) {
			cl++
		}
	}
	if cl != 3 {
		t.Errorf("%d controlled-load components loaded, want 3", cl)
	}
	// Without its controlled load the plan would be flat; with it, the SQL
	// cost views (which see no controlled load) must not price it.
	var flat bool
	if err := db.NewRaw("SELECT flat FROM tariff_flat_rates WHERE tariff_id = ?", tr.ID).Scan(ctx, &flat); err != nil {
		t.Fatal(err)
	}
	if flat {
		t.Error("tariff_flat_rates calls a tariff with controlled-load rates flat")
	}
}

// TestCDRDemandPerKVA: a demand charge per kVA is priced per kW, and says
// so wherever it is described.
func TestCDRDemandPerKVA(t *testing.T) {
	t.Parallel()
	p, err := ReadPlan([]byte(`{"planId": "P", "electricityContract": {"timeZone": "LOCAL", "tariffPeriod": [{"startDate": "01-01", "endDate": "12-31",
		"rateBlockUType": "demandCharges", "demandCharges": [{"displayName": "Peak", "amount": "1.00", "measureUnit": "KVA",
		"startTime": "16:00", "endTime": "20:59", "measurementPeriod": "DAY"}]}]}}`), PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameLines(t, "components", describeInOrder(p.Components), []string{
		`demand "Peak": 1.10 per kVA (measured as kW: no power-factor data) per day of the day's peak half-hour, 16:00–21:00`,
	})
	loc := sydney(t)
	pr, err := NewPricer(loc, []Period{{ID: 1, Start: date("2024-03-04"), End: date("2024-03-05"), Tariff: &Tariff{Name: "kva", Components: p.Components}}})
	if err != nil {
		t.Fatal(err)
	}
	a := pr.NewAccumulator()
	a.AddAt(time.Date(2024, 3, 4, 17, 0, 0, 0, loc), 1000, 0) // 2 kW
	if got := mustResult(t, a).Total().Total().FormatCents(); got != "2.20" {
		t.Errorf("2 kW at 1.10 per kVA: %s, want 2.20", got)
	}
}

// TestHolidayAwarenessLeavesControlledLoadApart checks that a holiday
// window among the controlled-load rates makes neither the plan's general
// rates nor CDR's aware of holidays, and is found when the controlled-load
// part is asked about on its own.
func TestHolidayAwarenessLeavesControlledLoadApart(t *testing.T) {
	t.Parallel()
	holidayRate := map[string]any{"unitPrice": 0.1, "days": []any{"PUBLIC_HOLIDAYS"}}
	cl := map[string]any{"timeOfUseRates": []any{holidayRate}}
	root := map[string]any{
		"timeOfUseRates": []any{map[string]any{"unitPrice": 0.3, "days": []any{"MON"}}},
		"controlledLoad": cl,
	}
	if got := holidayAwareness(root, []string{"rates", "timeOfUseRates"}); got["timeOfUseRates"] || got["rates"] {
		t.Errorf("general rates aware of holidays through the controlled load: %v", got)
	}
	if got := holidayAwareness(cl, []string{"timeOfUseRates"}); !got["timeOfUseRates"] {
		t.Errorf("controlled-load rates asked on their own: %v, want aware", got)
	}
	// Deeper, as a CDR electricityContract holds it.
	contract := map[string]any{"controlledLoad": []any{cl}}
	if got := holidayAwareness(map[string]any{"electricityContract": contract}, []string{"timeOfUseRates"}); got["timeOfUseRates"] {
		t.Errorf("a controlledLoad below the root counted: %v", got)
	}
}
