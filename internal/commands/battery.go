package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/render"
	"github.com/solarview/solarview/internal/report"
)

func batteryCommand() *cli.Command {
	return &cli.Command{
		Name:  "battery",
		Usage: "what a home battery would have saved: per billing period, per day and per year, payback",
		Description: "Simulates a battery over the site's summary data (one pass, however many sizes\n" +
			"--sweep lists) and prices the site's grid import and export without and with it\n" +
			"under its tariffs and billing periods.\n\n" +
			"Models: \"full\" (default) charges and discharges through the square root of the\n" +
			"round-trip efficiency each way, within --power if given; \"seed\" repeats the seed\n" +
			"article's generator (efficiency applied on discharge, no limits) to the Wh.\n" +
			"Capacity is the usable energy of the cells (all of it is usable in both models).\n\n" +
			"--price takes 5000 (any size), 650/kWh (per kWh of capacity) or 2000+500/kWh.\n" +
			"--discount-rate (0.05 or 5%) adds the net present value over --lifetime years;\n" +
			"without it, --lifetime still flags a payback longer than the battery's life.\n\n" +
			"--all-sites, or --site given more than once, reports each chosen site (--jobs at\n" +
			"a time) and prints one row per site ranked by savings per year; with --sweep a\n" +
			"row holds the site's best size. Sites without data or billing periods are\n" +
			"listed with the reason; the exit code is 1 only when no site could be reported.\n\n" +
			render.Wrap(report.FinanceConvention, 88),
		Flags: append([]cli.Flag{
			&cli.GenericFlag{Name: "site", Value: &siteNames{}, Usage: "site `NAME` (may be left out when there is only one); give it again for a ranking of several sites"},
			&cli.BoolFlag{Name: "all-sites", Usage: "report every site, one ranked row each"},
			&cli.StringFlag{Name: "jobs", Usage: "report `N` sites at once with --all-sites or several --site (default: one per CPU core)"},
			&cli.StringFlag{Name: "chart", Usage: "draw a chart to `FILE`.svg or FILE.png"},
		}, batterySettingFlags()...),
		Action: leaf(batteryOptsFrom, batteryReport),
	}
}

// batterySettingFlags are the flags battery and compare share: the battery
// simulated, its price and the data used. batterySettingsFrom reads them.
func batterySettingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "model", Value: string(battery.ModelFull), Usage: "battery `MODEL`: seed or full"},
		&cli.StringFlag{Name: "capacity", Value: defaultCapacity, Usage: "battery capacity, an `ENERGY` such as 13.5kWh or 13500Wh"},
		&cli.StringFlag{Name: "efficiency", Value: "0.9", Usage: "round-trip efficiency, a `FRACTION` in (0, 1] such as 0.9 or 90%"},
		&cli.StringFlag{Name: "power", Usage: "charge and discharge limit on the inverter's AC side, a `POWER` such as 5kW (full model; default none)"},
		&cli.StringFlag{Name: "sweep", Usage: "simulate a `LIST` of capacities in one pass, e.g. 5kWh,10kWh,13.5kWh"},
		&cli.StringFlag{Name: "price", Usage: "battery `PRICE` installed: 5000, 650/kWh or 2000+500/kWh"},
		&cli.StringFlag{Name: "discount-rate", Usage: "yearly `RATE` for the net present value, e.g. 0.05 or 5%"},
		&cli.StringFlag{Name: "lifetime", Value: strconv.Itoa(report.DefaultLifetime), Usage: "battery life in `YEARS`: the net present value's horizon, and a longer payback is flagged"},
		&cli.StringFlag{Name: "from", Usage: "first `DATE` of data used, YYYY-MM-DD (site's local date)"},
		&cli.StringFlag{Name: "to", Usage: "last `DATE` of data used (included), YYYY-MM-DD"},
		&cli.StringFlag{Name: "format", Value: string(render.FormatTable), Usage: "output `FORMAT`: table, csv or json"},
	}
}

// defaultCapacity is --capacity's default: the demo's Powerwall-sized
// battery.
const defaultCapacity = "13.5kWh"

// batteryOpts are battery's options: the battery settings it shares with
// compare, and the sites to report.
type batteryOpts struct {
	batterySettings
	// Sites are the --site values, each whole; one reports that site, more
	// rank them.
	Sites    []string
	AllSites bool
	// Jobs is --jobs, nil when not given.
	Jobs *string
	// Chart is the file a single site's chart is drawn to, "" for none.
	Chart string

	// Set by Validate.
	report batteryRequest
	jobs   int
}

func batteryOptsFrom(c *cli.Context) *batteryOpts {
	return &batteryOpts{batterySettings: batterySettingsFrom(c), Sites: *c.Generic("site").(*siteNames),
		AllSites: c.Bool("all-sites"), Jobs: optional(c, "jobs"), Chart: c.String("chart")}
}

// fleet reports whether several sites are reported, ranked.
func (o *batteryOpts) fleet() bool { return o.AllSites || len(o.Sites) > 1 }

func (o *batteryOpts) Validate() error {
	if err := o.checkNumbers(numberFlag{"jobs", o.Jobs}); err != nil {
		return err
	}
	site := ""
	if len(o.Sites) == 1 {
		site = o.Sites[0]
	}
	var err error
	if o.report, err = o.reportOptions(site, o.Chart); err != nil {
		return err
	}
	o.jobs = 0
	if !o.fleet() {
		if o.Jobs != nil {
			return errors.New("--jobs applies to several sites: give --all-sites or --site more than once")
		}
		return nil
	}
	if o.Jobs != nil {
		n, err := strconv.Atoi(strings.TrimSpace(*o.Jobs))
		if err != nil || n < 1 {
			return fmt.Errorf("--jobs %q: give a whole number of sites at once, at least 1", *o.Jobs)
		}
		o.jobs = n
	}
	if o.AllSites && len(o.Sites) > 0 {
		return errors.New("give either --all-sites or --site, not both")
	}
	if o.Chart != "" {
		return errors.New("--chart draws one site's report: give a single --site")
	}
	return nil
}

func batteryReport(ctx context.Context, env *Env, o *batteryOpts) error {
	if o.fleet() {
		return fleetReport(ctx, env, o)
	}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	return showBattery(ctx, env, db, o.report)
}

// fleetReport runs the many-site report: every site, or the sites named.
func fleetReport(ctx context.Context, env *Env, o *batteryOpts) error {
	fo := report.FleetOptions{Sites: o.Sites, AllSites: o.AllSites, Jobs: o.jobs}
	fo.Report = o.report.Options
	fo.Report.Site = ""
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	return showFleet(ctx, env, db, fo, o.report.Format)
}

// siteNames collects --site given any number of times. Names are kept
// whole: a comma may be part of a site's name, so nothing is split.
type siteNames []string

func (s *siteNames) Set(v string) error { *s = append(*s, v); return nil }
func (s *siteNames) String() string     { return strings.Join(*s, ", ") }

// batterySettings are the values of [batterySettingFlags], as given: the
// battery simulated, its price and the data used.
type batterySettings struct {
	Model string
	// Capacity is --capacity, nil when not given (then defaultCapacity).
	Capacity   *string
	Efficiency string
	// Power, Sweep, Price and DiscountRate are nil when not given.
	Power, Sweep, Price, DiscountRate *string
	Lifetime                          string
	// From and To bound the data used, nil when not given.
	From, To *string
	Format   string
}

func batterySettingsFrom(c *cli.Context) batterySettings {
	return batterySettings{Model: c.String("model"), Capacity: optional(c, "capacity"), Efficiency: c.String("efficiency"),
		Power: optional(c, "power"), Sweep: optional(c, "sweep"), Price: optional(c, "price"),
		DiscountRate: optional(c, "discount-rate"), Lifetime: c.String("lifetime"),
		From: optional(c, "from"), To: optional(c, "to"), Format: c.String("format")}
}

// checkNumbers refuses a number that is not finite or absurdly large in
// any numeric setting, then in the command's own flags more: before any
// other rule, whatever unit follows the number.
func (s *batterySettings) checkNumbers(more ...numberFlag) error {
	return checkNumberFlags(append([]numberFlag{{"capacity", s.Capacity}, {"efficiency", &s.Efficiency},
		{"power", s.Power}, {"sweep", s.Sweep}, {"price", s.Price}, {"discount-rate", s.DiscountRate},
		{"lifetime", &s.Lifetime}}, more...)...)
}

// reportOptions turns the settings into the report to compute for site
// and how to show it, refusing
// bad input with one-line errors.
func (s *batterySettings) reportOptions(site, chart string) (batteryRequest, error) {
	opts := batteryRequest{Options: report.Options{Site: site}, reportOutput: reportOutput{Chart: chart}}
	var err error
	if opts.Format, err = render.ParseFormat(s.Format); err != nil {
		return opts, err
	}
	model, err := battery.ParseModel(s.Model)
	if err != nil {
		return opts, err
	}
	eff, err := parseEfficiency(s.Efficiency)
	if err != nil {
		return opts, err
	}
	base := battery.Config{Model: model, Efficiency: eff}
	if s.Power != nil {
		if model == battery.ModelSeed {
			return opts, errors.New("--power applies to the full model only: the seed model has no power limits (drop --power or use --model full)")
		}
		w, err := parsePower(*s.Power)
		if err != nil {
			return opts, err
		}
		if w <= 0 {
			return opts, fmt.Errorf("--power must be greater than 0 W, got %q", *s.Power)
		}
		base.ChargePowerW, base.DischargePowerW = w, w
	}

	var capacities []float64
	switch {
	case s.Sweep != nil && s.Capacity != nil:
		return opts, errors.New("give either --capacity or --sweep, not both")
	case s.Sweep != nil:
		if capacities, err = parseEnergyList(*s.Sweep); err != nil {
			return opts, fmt.Errorf("--sweep: %w", err)
		}
	default:
		capacity := defaultCapacity
		if s.Capacity != nil {
			capacity = *s.Capacity
		}
		wh, err := parseEnergy(capacity)
		if err != nil {
			return opts, fmt.Errorf("--capacity: %w", err)
		}
		capacities = []float64{wh}
	}
	for _, wh := range capacities {
		cfg := base
		cfg.CapacityWh = wh
		if err := cfg.Validate(); err != nil {
			return opts, err
		}
		opts.Batteries = append(opts.Batteries, cfg)
	}

	if s.Price != nil {
		p, err := parsePrice(*s.Price)
		if err != nil {
			return opts, err
		}
		opts.Price = &p
	}
	if s.DiscountRate != nil {
		if opts.Price == nil {
			return opts, errors.New("--discount-rate needs --price: the net present value weighs savings against the price")
		}
		r, err := parseRate(*s.DiscountRate)
		if err != nil {
			return opts, err
		}
		opts.DiscountRate = &r
	}
	life, err := strconv.Atoi(strings.TrimSpace(s.Lifetime))
	if err != nil || life < 1 || life > 100 {
		return opts, fmt.Errorf("--lifetime %q: give a whole number of years from 1 to 100", s.Lifetime)
	}
	opts.LifetimeYears = life
	for _, f := range []struct {
		name  string
		value *string
		to    *time.Time
	}{{"from", s.From, &opts.From}, {"to", s.To, &opts.To}} {
		if f.value != nil {
			if *f.to, err = parseDate(f.name, *f.value); err != nil {
				return opts, err
			}
		}
	}
	return opts, nil
}
