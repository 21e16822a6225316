package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/report"
)

// compareCommand ranks plans with and without a battery. Its battery flags
// are battery's, read by the same batteryOptions.
func compareCommand() *cli.Command {
	return &cli.Command{
		Name:  "compare",
		Usage: "rank tariffs (plans) for a site's data, without and with a battery",
		Description: "Prices the site's data on each plan named with --tariff (or every stored tariff with\n" +
			"--all-tariffs), without a battery and with each battery (--capacity, or a --sweep of\n" +
			"sizes), in one pass over the data. The current plan (the site's billing periods) comes\n" +
			"first as the reference; the other plans follow, cheapest first without a battery, with\n" +
			"their savings against the current plan, their best battery and its payback.\n\n" +
			"A plan is priced as if the site had been on it: in the site's own billing periods\n" +
			"(same dates, that plan's tariff), so each cell is what `battery` reports with the\n" +
			"billing periods on that plan. A site without billing periods is priced in calendar\n" +
			"months and has no current plan.\n\n" +
			report.Wrap(report.FinanceConvention, 88),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "site", Usage: "site `NAME` (may be left out when there is only one)"},
			&cli.GenericFlag{Name: "tariff", Value: &repeated{}, Usage: "a plan to price, by tariff `NAME`; repeat for each plan"},
			&cli.BoolFlag{Name: "all-tariffs", Usage: "price every stored tariff"},
			&cli.StringFlag{Name: "model", Value: string(battery.ModelFull), Usage: "battery `MODEL`: seed or full"},
			&cli.StringFlag{Name: "capacity", Value: "13.5kWh", Usage: "battery capacity, an `ENERGY` such as 13.5kWh or 13500Wh"},
			&cli.StringFlag{Name: "efficiency", Value: "0.9", Usage: "round-trip efficiency, a `FRACTION` in (0, 1] such as 0.9 or 90%"},
			&cli.StringFlag{Name: "power", Usage: "charge and discharge limit on the inverter's AC side, a `POWER` such as 5kW (full model; default none)"},
			&cli.StringFlag{Name: "sweep", Usage: "compare a `LIST` of capacities in one pass, e.g. 5kWh,10kWh,13.5kWh"},
			&cli.StringFlag{Name: "price", Usage: "battery `PRICE` installed: 5000, 650/kWh or 2000+500/kWh"},
			&cli.StringFlag{Name: "discount-rate", Usage: "yearly `RATE` for the net present value, e.g. 0.05 or 5%"},
			&cli.StringFlag{Name: "lifetime", Value: strconv.Itoa(report.DefaultLifetime), Usage: "battery life in `YEARS`: the net present value's horizon, and a longer payback is flagged"},
			&cli.StringFlag{Name: "from", Usage: "first `DATE` of data used, YYYY-MM-DD (site's local date)"},
			&cli.StringFlag{Name: "to", Usage: "last `DATE` of data used (included), YYYY-MM-DD"},
			&cli.StringFlag{Name: "format", Value: string(report.FormatTable), Usage: "output `FORMAT`: table, csv or json"},
			&cli.StringFlag{Name: "chart", Usage: "draw the yearly cost per plan, without and with its best battery, to `FILE`.svg or FILE.png"},
		},
		Action: compareAction,
	}
}

func compareAction(c *cli.Context) error {
	if c.NArg() != 0 {
		return fmt.Errorf("compare takes no arguments, got %q (plans go in --tariff, the site in --site)", strings.Join(c.Args().Slice(), " "))
	}
	opts, err := batteryOptions(c)
	if err != nil {
		return err
	}
	cmp := report.CompareOptions{Options: opts, AllTariffs: c.Bool("all-tariffs")}
	if r, ok := c.Generic("tariff").(*repeated); ok {
		cmp.Tariffs = r.values
	}
	env := envOf(c)
	if opts.Format == report.FormatTable {
		cmp.Progress = terminalOrNil(env.Stderr)
	}
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	return report.RunCompare(c.Context, db, cmp, env.Stdout)
}

// repeated collects every value of a flag given several times, each
// whole: tariff names may hold commas, which a string-slice flag would
// split on.
type repeated struct{ values []string }

func (r *repeated) Set(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return fmt.Errorf("an empty name")
	}
	r.values = append(r.values, v)
	return nil
}

func (r *repeated) String() string {
	if r == nil {
		return ""
	}
	return strings.Join(r.values, ", ")
}
