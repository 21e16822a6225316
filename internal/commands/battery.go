package commands

import (
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
		Action: batteryAction,
	}
}

// batterySettingFlags are the flags battery and compare share: the battery
// simulated, its price and the data used. batteryOptions reads them.
func batterySettingFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "model", Value: string(battery.ModelFull), Usage: "battery `MODEL`: seed or full"},
		&cli.StringFlag{Name: "capacity", Value: "13.5kWh", Usage: "battery capacity, an `ENERGY` such as 13.5kWh or 13500Wh"},
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

func batteryAction(c *cli.Context) error {
	if c.NArg() != 0 {
		return fmt.Errorf("battery takes no arguments, got %q (the site goes in --site)", strings.Join(c.Args().Slice(), " "))
	}
	opts, err := batteryOptions(c)
	if err != nil {
		return err
	}
	env := envOf(c)
	sites := c.Generic("site").(*siteNames)
	if c.Bool("all-sites") || len(*sites) > 1 {
		return fleetAction(c, env, opts, *sites)
	}
	if c.IsSet("jobs") {
		return errors.New("--jobs applies to several sites: give --all-sites or --site more than once")
	}
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	return showBattery(c.Context, env, db, opts)
}

// fleetAction runs the many-site report: every site, or the sites named.
func fleetAction(c *cli.Context, env *Env, opts batteryRequest, sites []string) error {
	fo := report.FleetOptions{Sites: sites, AllSites: c.Bool("all-sites")}
	if c.IsSet("jobs") {
		n, err := strconv.Atoi(strings.TrimSpace(c.String("jobs")))
		if err != nil || n < 1 {
			return fmt.Errorf("--jobs %q: give a whole number of sites at once, at least 1", c.String("jobs"))
		}
		fo.Jobs = n
	}
	if fo.AllSites && len(sites) > 0 {
		return errors.New("give either --all-sites or --site, not both")
	}
	if opts.Chart != "" {
		return errors.New("--chart draws one site's report: give a single --site")
	}
	opts.Site = ""
	fo.Report = opts.Options
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	return showFleet(c.Context, env, db, fo, opts.Format)
}

// siteNames collects --site given any number of times. Names are kept
// whole: a comma may be part of a site's name, so nothing is split.
type siteNames []string

func (s *siteNames) Set(v string) error { *s = append(*s, v); return nil }
func (s *siteNames) String() string     { return strings.Join(*s, ", ") }

// batteryOptions turns the flags into the report to compute and how to
// show it, refusing bad input with one-line errors before the database is
// touched.
func batteryOptions(c *cli.Context) (batteryRequest, error) {
	opts := batteryRequest{reportOutput: reportOutput{Chart: c.String("chart")}}
	// battery repeats --site (a ranking of several sites); compare takes one.
	switch sites := c.Generic("site").(type) {
	case *siteNames:
		if len(*sites) == 1 {
			opts.Site = (*sites)[0]
		}
	default:
		opts.Site = c.String("site")
	}
	var err error
	if opts.Format, err = render.ParseFormat(c.String("format")); err != nil {
		return opts, err
	}
	model, err := battery.ParseModel(c.String("model"))
	if err != nil {
		return opts, err
	}
	eff, err := parseEfficiency(c.String("efficiency"))
	if err != nil {
		return opts, err
	}
	base := battery.Config{Model: model, Efficiency: eff}
	if c.IsSet("power") {
		if model == battery.ModelSeed {
			return opts, errors.New("--power applies to the full model only: the seed model has no power limits (drop --power or use --model full)")
		}
		w, err := parsePower(c.String("power"))
		if err != nil {
			return opts, err
		}
		if w <= 0 {
			return opts, fmt.Errorf("--power must be greater than 0 W, got %q", c.String("power"))
		}
		base.ChargePowerW, base.DischargePowerW = w, w
	}

	var capacities []float64
	switch {
	case c.IsSet("sweep") && c.IsSet("capacity"):
		return opts, errors.New("give either --capacity or --sweep, not both")
	case c.IsSet("sweep"):
		if capacities, err = parseEnergyList(c.String("sweep")); err != nil {
			return opts, fmt.Errorf("--sweep: %w", err)
		}
	default:
		wh, err := parseEnergy(c.String("capacity"))
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

	if c.IsSet("price") {
		p, err := parsePrice(c.String("price"))
		if err != nil {
			return opts, err
		}
		opts.Price = &p
	}
	if c.IsSet("discount-rate") {
		if opts.Price == nil {
			return opts, errors.New("--discount-rate needs --price: the net present value weighs savings against the price")
		}
		r, err := parseRate(c.String("discount-rate"))
		if err != nil {
			return opts, err
		}
		opts.DiscountRate = &r
	}
	life, err := strconv.Atoi(strings.TrimSpace(c.String("lifetime")))
	if err != nil || life < 1 || life > 100 {
		return opts, fmt.Errorf("--lifetime %q: give a whole number of years from 1 to 100", c.String("lifetime"))
	}
	opts.LifetimeYears = life
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"from", &opts.From}, {"to", &opts.To}} {
		if c.IsSet(f.name) {
			if *f.to, err = parseDateFlag(c, f.name); err != nil {
				return opts, err
			}
		}
	}
	return opts, nil
}
