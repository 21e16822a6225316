package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

func TestTariffCommands(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)

	out := mustRun(t, dsn, "tariff", "add", "Flat", "--retailer", "Sunny Energy", "--supply", "1.10", "--usage", "0.30", "--feed-in", "0.05")
	for _, want := range []string{`Added tariff "Flat" (retailer "Sunny Energy", 3 components)`, "1.10 per day", "0.30 per kWh imported, all times"} {
		if !strings.Contains(out, want) {
			t.Errorf("tariff add output lacks %q:\n%s", want, out)
		}
	}

	plan, err := os.ReadFile(filepath.Join("..", "tariff", "testdata", "tou_plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	planPath := filepath.Join(dir, "PLAN.json")
	if err := os.WriteFile(planPath, plan, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dsn, "tariff", "add", "Summer TOU", "--retailer", "Sunny Energy", "--file", planPath)

	out = mustRun(t, dsn, "tariff", "list")
	for _, want := range []string{"Flat", "Summer TOU", "0.18–0.55 (6 windows)", "0.05–0.12 (2 windows)", "0.2475 (1 window)"} {
		if !strings.Contains(out, want) {
			t.Errorf("tariff list lacks %q:\n%s", want, out)
		}
	}
	out = mustRun(t, dsn, "tariff", "show", "Summer TOU")
	for _, want := range []string{
		`Tariff "Summer TOU", retailer "Sunny Energy"`,
		"0.55 per kWh imported, Mon–Fri 14:00–20:00, 11-01 to 03-31",
		"demand charge",
		"0.2475 per kW per day of the billing period's peak half-hour, Mon–Fri 15:00–21:00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tariff show lacks %q:\n%s", want, out)
		}
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"timeOfUseRates": [
		{"unitPrice": 0.2, "startTime": "20:00", "endTime": "14:00"},
		{"unitPrice": 0.5, "startTime": "25:00", "endTime": "20:00"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	errorCases := []struct {
		args []string
		want string
	}{
		{[]string{"tariff", "add", "Bad", "--retailer", "R", "--file", bad},
			bad + `: $.timeOfUseRates[1].startTime: "25:00" is not a time`},
		{[]string{"tariff", "add", "Empty", "--retailer", "R"}, `tariff "Empty" has no prices: give --supply, --usage, --feed-in or --file`},
		{[]string{"tariff", "add", "Flat", "--retailer", "R", "--supply", "1"}, `a tariff named "Flat" already exists`},
		{[]string{"tariff", "add", "X", "--retailer", "R", "--usage", "0.3x"}, `--usage: "0.3x" is not a number`},
		{[]string{"tariff", "add", "Twice", "--retailer", "R", "--usage", "0.3", "--file", planPath},
			`overlap on Mon 00:00–07:00 from 01-01; usage rates must not overlap`},
		{[]string{"tariff", "show", "Falt"}, `no tariff named "Falt"; did you mean "Flat"?`},
	}
	for _, tt := range errorCases {
		r := run(t, dsn, tt.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("solarview %s: exit %d, stderr %q; want one line containing %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}

func TestBillingCommands(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	mustRun(t, dsn, "site", "add", "home")
	mustRun(t, dsn, "tariff", "add", "Flat", "--retailer", "R", "--supply", "1.10", "--usage", "0.30")
	mustRun(t, dsn, "tariff", "add", "Other", "--retailer", "R", "--supply", "1.00")

	out := mustRun(t, dsn, "billing", "add", "--site", "home", "--tariff", "Flat", "--from", "2024-01-01", "--to", "2024-06-30", "--every", "quarter")
	for _, want := range []string{`Added 2 billing periods for site "home" on tariff "Flat"`, "2024-01-01 to 2024-03-31 (91 days)", "2024-04-01 to 2024-06-30 (91 days)"} {
		if !strings.Contains(out, want) {
			t.Errorf("billing add output lacks %q:\n%s", want, out)
		}
	}
	mustRun(t, dsn, "billing", "add", "--site", "home", "--tariff", "Other", "--from", "2024-07-01", "--to", "2024-07-31")

	r := run(t, dsn, "billing", "add", "--site", "home", "--tariff", "Other", "--from", "2024-06-15", "--to", "2024-08-31", "--every", "month")
	want := `solarview: billing period 2024-06-15 to 2024-07-14 overlaps site "home"'s billing period 2024-04-01 to 2024-06-30 (tariff "Flat")` + "\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("overlap: exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}

	out = mustRun(t, dsn, "billing", "list", "--site", "home")
	if strings.Count(out, "home") != 3 || !strings.Contains(out, "2024-07-31") || strings.Contains(out, "2024-08") {
		t.Errorf("billing list should show the three periods and nothing of the refused batch:\n%s", out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"billing", "add", "--site", "hom", "--tariff", "Flat", "--from", "2025-01-01", "--to", "2025-01-31"}, `no site named "hom"; did you mean "home"?`},
		{[]string{"billing", "add", "--site", "home", "--tariff", "Flat", "--from", "2025-01-01", "--to", "2025-02-30"}, `--to "2025-02-30" is not a date`},
		{[]string{"billing", "add", "--site", "home", "--tariff", "Flat", "--from", "2025-02-01", "--to", "2025-01-31"}, `--to 2025-01-31 is before --from 2025-02-01`},
		{[]string{"billing", "add", "--site", "home", "--tariff", "Flat", "--from", "2025-01-01", "--to", "2025-12-31", "--every", "week"}, `--every "week": use month or quarter`},
	} {
		r := run(t, dsn, tt.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("solarview %s: exit %d, stderr %q; want %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}

// TestTariffAddCDRPlans adds each CDR document of the tariff package's
// testdata exactly as published and checks what the command says about it.
func TestTariffAddCDRPlans(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	doc := func(name string) string { return filepath.Join("..", "tariff", "testdata", "cdr", name) }

	out := mustRun(t, dsn, "tariff", "add", "Bright TOU", "--file", doc("time_of_use.json"), "--assume", "pay-on-time")
	for _, want := range []string{
		`Added tariff "Bright TOU" (retailer "Bright Power", 13 components)`,
		`Read CDR EnergyPlanDetail "Bright Time of Use".`,
		"Charges include GST at 10%, added to the prices given; feed-in credits have none.",
		"0.5302 per kWh imported, Mon–Fri except public holidays 15:00–21:00, 11-01 to 03-31 (NEM time)",
		"7% off the bill (supply, usage and demand charges), assuming pay-on-time",
		"Assumed: pay-on-time.",
		"Its time-of-use windows name public holidays: load them with `solarview holidays import FILE`.",
		"Not priced (2):",
		`  - discount "Direct debit discount" (conditional on direct debit: --assume direct-debit applies it)`,
		"  - fee: DD_DISHONOUR, FIXED, 15.00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tariff add output lacks %q:\n%s", want, out)
		}
	}
	// --gst 0 for prices already including GST; the retailer from the flag.
	out = mustRun(t, dsn, "tariff", "add", "Sparky", "--retailer", "Sparky", "--gst", "0", "--file", doc("single_rate_stepped.json"))
	for _, want := range []string{
		"0.265 for the first 10 kWh, 0.312 above per kWh imported, per day",
		"1.0234 per day",
		"Not priced (6):",
		"│ controlled load daily supply charge │ Controlled load 1   │ 0.0412 per day for controlled load, on days the site meters it",
		"│ controlled load usage rate          │ Off-peak hot water  │ 0.165 per kWh of controlled load, all times",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tariff add output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "GST") {
		t.Errorf("--gst 0 still mentions GST:\n%s", out)
	}
	out = mustRun(t, dsn, "tariff", "show", "Bright TOU")
	if !strings.Contains(out, "Its windows name public holidays; 0 are loaded") {
		t.Errorf("tariff show does not say no holidays are loaded:\n%s", out)
	}
	// A --gst given applies to flag prices too.
	out = mustRun(t, dsn, "tariff", "add", "Flat inc", "--retailer", "R", "--supply", "1", "--feed-in", "0.05", "--gst", "10%")
	if !strings.Contains(out, "1.10 per day") || !strings.Contains(out, "0.05 per kWh exported") {
		t.Errorf("--gst with flag prices:\n%s", out)
	}
	mustRun(t, dsn, "tariff", "add", "Volt", "--file", doc("demand.json"), "--gst", "12.5%")
	out = mustRun(t, dsn, "tariff", "show", "Volt")
	// 0.3150 per kW per day plus 12.5%.
	if !strings.Contains(out, "0.354375 per kW per day of the billing period's peak half-hour above 0.5 kW") {
		t.Errorf("tariff show lacks the demand charge with 12.5%% GST:\n%s", out)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"data": {"planId": "X", "electricityContract": {"tariffPeriod": [
		{"startDate": "01-01", "endDate": "12-31", "rateBlockUType": "singleRate",
		 "singleRate": {"rates": [{"unitPrice": "0.30", "volume": 10}, {"unitPrice": "abc"}]}}]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tariff", "add", "B", "--file", bad},
			bad + `: $.data.electricityContract.tariffPeriod[0].singleRate.rates[1].unitPrice: "abc" is not an amount`},
		{[]string{"tariff", "add", "B", "--file", doc("demand.json"), "--assume", "senior-card"},
			`--assume "senior-card": known conditions are pay-on-time, direct-debit, premium-feed-in`},
		{[]string{"tariff", "add", "B", "--file", doc("demand.json"), "--gst", "ten"}, `--gst: "ten" is not a number`},
		{[]string{"tariff", "add", "B", "--usage", "0.3"}, "give the tariff's --retailer"},
	} {
		r := run(t, dsn, tt.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tt.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("solarview %s: exit %d, stderr %q; want one line containing %q", strings.Join(tt.args, " "), r.code, r.stderr, tt.want)
		}
	}
}

func TestHolidaysImport(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	dir := t.TempDir()
	good := filepath.Join(dir, "holidays.csv")
	if err := os.WriteFile(good, []byte("date,name,region\n2025-01-01,New Year's Day\n2025-03-10,Labour Day,VIC\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, dsn, "holidays", "import", good); !strings.Contains(out, "2 holidays: 2 added, 0 renamed, 0 unchanged.") {
		t.Errorf("first import: %s", out)
	}
	if out := mustRun(t, dsn, "holidays", "import", good); !strings.Contains(out, "2 holidays: 0 added, 0 renamed, 2 unchanged.") {
		t.Errorf("second import: %s", out)
	}
	// A bad line refuses the whole file: the good line before it is not added.
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("2025-12-25,Christmas Day\n2025-12-26,Boxing Day,Atlantis\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, dsn, "holidays", "import", bad)
	if want := bad + `: line 2: region "Atlantis" is not a state`; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("bad file: exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
	xmas := filepath.Join(dir, "xmas.csv")
	if err := os.WriteFile(xmas, []byte("2025-12-25,Christmas Day\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, dsn, "holidays", "import", xmas); !strings.Contains(out, "1 holiday: 1 added") {
		t.Errorf("the refused file's good line was stored: %s", out)
	}
}
