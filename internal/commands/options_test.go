package commands

import (
	"errors"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/ingest"
)

func ptr(s string) *string { return &s }

// validateCase is one set of options and what Validate must answer: an
// error holding want, or none when want is empty.
type validateCase struct {
	name string
	opts options
	want string
}

func testValidate(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.opts.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate() = nil, want an error with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate() = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// The options' Validate methods hold each command's checks on its values,
// with the messages users see; none needs a database, so these run
// without one.

func TestSiteAddValidate(t *testing.T) {
	t.Parallel()
	add := func(name, tz string, nmi *string) *siteAddOpts {
		return &siteAddOpts{Name: name, TimeZone: tz, NMI: nmi}
	}
	testValidate(t, []validateCase{
		{"plain", add("home", defaultTimeZone, nil), ""},
		{"NMI", add("home", "Australia/Perth", ptr("6001234567")), ""},
		{"empty name", add("  ", defaultTimeZone, nil), "site name must not be empty"},
		{"escape in name", add("a\x1b[2Jb", defaultTimeZone, nil), "U+001B"},
		{"long name", add(strings.Repeat("x", 201), defaultTimeZone, nil), "201 characters long"},
		{"unknown zone", add("home", "Mars/Olympus", nil), `unknown time zone "Mars/Olympus"`},
		{"empty zone", add("home", "", nil), `unknown time zone ""`},
		{"local zone", add("home", "Local", nil), `unknown time zone "Local"`},
		// An empty --nmi was given, and is no NMI; an absent one is fine.
		{"empty NMI", add("home", defaultTimeZone, ptr("")), "is not an NMI"},
		{"NMI checksum", add("home", defaultTimeZone, ptr("60012345670")), "11th character is a checksum"},
		// The name is checked first: the zone is wrong too.
		{"name before zone", add("", "Mars/Olympus", nil), "site name must not be empty"},
	})
}

func TestTariffAddValidate(t *testing.T) {
	t.Parallel()
	testValidate(t, []validateCase{
		{"flat", &tariffAddOpts{Name: "Flat", Retailer: ptr("R"), Supply: ptr("1.10"), Usage: ptr("0.30")}, ""},
		// The file may name the retailer and hold every price.
		{"file alone", &tariffAddOpts{Name: "TOU", File: "plan.json"}, ""},
		{"file and assumption", &tariffAddOpts{Name: "TOU", File: "plan.json", Assume: "pay-on-time"}, ""},
		{"no retailer", &tariffAddOpts{Name: "T", Supply: ptr("1")}, "give the tariff's --retailer"},
		{"blank retailer", &tariffAddOpts{Name: "T", Retailer: ptr("  "), Supply: ptr("1")}, "--retailer: retailer name must not be empty"},
		{"no prices", &tariffAddOpts{Name: " T ", Retailer: ptr("R")}, `tariff "T" has no prices`},
		{"assumption without file", &tariffAddOpts{Name: "T", Retailer: ptr("R"), Supply: ptr("1"), Assume: "x"}, "--assume needs a plan --file"},
		{"blank assumptions", &tariffAddOpts{Name: "T", Retailer: ptr("R"), Supply: ptr("1"), Assume: " , "}, ""},
		{"GST out of range", &tariffAddOpts{Name: "T", Retailer: ptr("R"), Supply: ptr("1"), GST: ptr("200%")}, `--gst: "200%" is not a rate`},
		{"GST fraction", &tariffAddOpts{Name: "T", Retailer: ptr("R"), Supply: ptr("1"), GST: ptr("0.1")}, ""},
		{"infinite supply", &tariffAddOpts{Name: "T", Retailer: ptr("R"), Supply: ptr("1e308")}, `--supply "1e308"`},
		{"NaN usage", &tariffAddOpts{Name: "T", Retailer: ptr("R"), Usage: ptr("NaN")}, "--usage"},
		{"bad feed-in", &tariffAddOpts{Name: "T", Retailer: ptr("R"), FeedIn: ptr("abc")}, `--feed-in: "abc" is not a number`},
		// Names come before numbers, numbers before the rest.
		{"name first", &tariffAddOpts{Name: "a\a", Retailer: ptr("R\a"), Supply: ptr("inf")}, "tariff name"},
		{"retailer before numbers", &tariffAddOpts{Name: "T", Retailer: ptr("R\a"), Supply: ptr("inf")}, "--retailer: retailer name"},
	})

	// GST given on the command line is added to flag charges, never to
	// feed-in credits.
	o := &tariffAddOpts{Name: "T", Retailer: ptr("R"), Supply: ptr("1"), FeedIn: ptr("0.05"), GST: ptr("10%")}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(o.flat) != 2 || o.flat[0].Describe() != "1.10 per day" || o.flat[1].Describe() != "0.05 per kWh exported, all times" {
		t.Errorf("flat prices with GST: %d components, %q, %q", len(o.flat), o.flat[0].Describe(), o.flat[1].Describe())
	}
}

func TestBillingAddValidate(t *testing.T) {
	t.Parallel()
	add := func(from, to, every string) *billingAddOpts {
		return &billingAddOpts{Site: "home", Tariff: "Flat", From: from, To: to, Every: every}
	}
	testValidate(t, []validateCase{
		{"one period", add("2024-01-01", "2024-12-31", ""), ""},
		{"spaces", add(" 2024-01-01 ", "2024-01-31", "month"), ""},
		{"one day", add("2024-02-29", "2024-02-29", ""), ""},
		{"not a date", add("2025-13-01", "2025-12-31", ""), `--from "2025-13-01" is not a date`},
		{"no such day", add("2025-01-01", "2025-02-30", ""), `--to "2025-02-30" is not a date`},
		{"too late", add("2025-01-01", "9999-12-31", ""), "--to 9999-12-31 is out of range"},
		{"too early", add("0001-01-01", "2025-01-31", ""), "--from 0001-01-01 is out of range"},
		{"backwards", add("2025-02-01", "2025-01-31", ""), "--to 2025-01-31 is before --from 2025-02-01"},
		{"weekly", add("2025-01-01", "2025-12-31", "week"), `--every "week"`},
		// --from is read first.
		{"from first", add("x", "y", "z"), `--from "x"`},
	})

	o := add("2024-01-01", "2024-12-31", "quarter")
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(o.ranges) != 4 || o.ranges[3].String() != "2024-10-01 to 2024-12-31" {
		t.Errorf("quarters of 2024: %v", o.ranges)
	}
}

func TestImportValidate(t *testing.T) {
	t.Parallel()
	imp := func(format, unit string, files ...string) *importOpts {
		return &importOpts{Files: files, Format: format, Unit: unit}
	}
	testValidate(t, []validateCase{
		{"auto", imp("auto", "kWh", "a.csv", "b.csv"), ""},
		{"standard input", imp("nem12", "W", "-"), ""},
		{"format", imp("xml", "kWh", "a.csv"), "xml"},
		{"unit", imp("auto", "furlongs", "a.csv"), "furlongs"},
		{"standard input twice", imp("auto", "kWh", "-", "a.csv", "-"), "standard input (-) can be imported once only"},
		{"site name", &importOpts{Files: []string{"a.csv"}, Format: "csv", Unit: "kWh", Site: ptr("x\x1b")}, "--site: site name"},
		{"empty site", &importOpts{Files: []string{"a.csv"}, Format: "csv", Unit: "kWh", Site: ptr("")}, "--site: site name must not be empty"},
	})

	o := imp("NEM12", "kw", "a.csv")
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.format != ingest.FormatNEM12 || o.unit != ingest.KW {
		t.Errorf("format %q, unit %v", o.format, o.unit)
	}
}

func TestCheckAndRollbackValidate(t *testing.T) {
	t.Parallel()
	testValidate(t, []validateCase{
		{"text", &checkOpts{Format: "text"}, ""},
		{"github", &checkOpts{Format: "github", Database: true}, ""},
		{"yaml", &checkOpts{Format: "yaml"}, `unknown --format "yaml": use text, json or github`},
		{"rollback", &rollbackOpts{}, ""},
		{"rollback to", &rollbackOpts{To: ptr("20261121000001_foundation")}, ""},
		{"rollback to nothing", &rollbackOpts{To: ptr(" ")}, "rollback: --to needs a migration name"},
	})
	// check's errors all exit 2, a bad --format too.
	var coder cli.ExitCoder
	if err := (&checkOpts{Format: "yaml"}).Validate(); !errors.As(err, &coder) || coder.ExitCode() != 2 {
		t.Errorf("check --format yaml: %v, want exit code 2", err)
	}
}

func TestBatteryValidate(t *testing.T) {
	t.Parallel()
	// bat gives battery's defaults, as its flags do, with sites.
	bat := func(sites ...string) *batteryOpts {
		return &batteryOpts{Sites: sites, batterySettings: batterySettings{Model: "full", Efficiency: "0.9", Lifetime: "20", Format: "table"}}
	}
	with := func(o *batteryOpts, f func(*batteryOpts)) *batteryOpts { f(o); return o }
	testValidate(t, []validateCase{
		{"defaults", bat(), ""},
		{"one site", bat("home"), ""},
		{"ranking", with(bat("home", "cottage"), func(o *batteryOpts) { o.Jobs = ptr("2") }), ""},
		{"all sites", with(bat(), func(o *batteryOpts) { o.AllSites = true }), ""},
		{"infinite capacity", with(bat(), func(o *batteryOpts) { o.Capacity = ptr("1e308kWh") }), `--capacity "1e308kWh": 1e308 is not a finite number`},
		{"NaN jobs", with(bat(), func(o *batteryOpts) { o.AllSites, o.Jobs = true, ptr("NaN") }), "--jobs"},
		{"seed with power", with(bat(), func(o *batteryOpts) { o.Model, o.Power = "seed", ptr("5kW") }), "--power applies to the full model only"},
		{"no power", with(bat(), func(o *batteryOpts) { o.Power = ptr("0kW") }), `--power must be greater than 0 W, got "0kW"`},
		{"sweep and capacity", with(bat(), func(o *batteryOpts) { o.Sweep, o.Capacity = ptr("5kWh"), ptr("5kWh") }), "give either --capacity or --sweep, not both"},
		{"sweep", with(bat(), func(o *batteryOpts) { o.Sweep = ptr("5kWh,10kWh") }), ""},
		{"discount without price", with(bat(), func(o *batteryOpts) { o.DiscountRate = ptr("5%") }), "--discount-rate needs --price"},
		{"lifetime", with(bat(), func(o *batteryOpts) { o.Lifetime = "101" }), `--lifetime "101": give a whole number of years from 1 to 100`},
		{"date", with(bat(), func(o *batteryOpts) { o.From = ptr("1899-12-31") }), "--from 1899-12-31 is out of range"},
		{"jobs for one site", with(bat("home"), func(o *batteryOpts) { o.Jobs = ptr("2") }), "--jobs applies to several sites"},
		{"no jobs", with(bat("a", "b"), func(o *batteryOpts) { o.Jobs = ptr("0") }), `--jobs "0": give a whole number of sites at once, at least 1`},
		{"all sites and a site", with(bat("home"), func(o *batteryOpts) { o.AllSites = true }), "give either --all-sites or --site, not both"},
		{"chart of a ranking", with(bat("a", "b"), func(o *batteryOpts) { o.Chart = "x.svg" }), "--chart draws one site's report"},
		// The settings come before the ranking's own rules.
		{"settings first", with(bat("home"), func(o *batteryOpts) { o.AllSites, o.Format = true, "xml" }), "xml"},
	})

	o := with(bat("home"), func(o *batteryOpts) { o.Sweep, o.Price = ptr("5kWh,10kWh"), ptr("400/kWh") })
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.report.Site != "home" || len(o.report.Batteries) != 2 || o.report.Batteries[1].CapacityWh != 10000 || o.report.Price == nil {
		t.Errorf("report options %+v", o.report)
	}
}

func TestCheckNumbers(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"13.5kWh", "5kWh,10kWh,13.5kWh", "1500+700/kWh", "90%", "0.9", "1e12Wh", "-0.05", "10"} {
		if err := checkNumbers("x", ok); err != nil {
			t.Errorf("checkNumbers(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"1e308kWh", "inf", "+Inf", "-infinity", "NaN", "nan%", "5kWh,1e400kWh", "1500+1e13/kWh", "1.1e12"} {
		if err := checkNumbers("x", bad); err == nil {
			t.Errorf("checkNumbers(%q) accepted it", bad)
		}
	}
}
