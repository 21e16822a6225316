package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/render"
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
			render.Wrap(report.FinanceConvention, 88),
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "site", Usage: "site `NAME` (may be left out when there is only one)"},
			&cli.GenericFlag{Name: "tariff", Value: &repeated{}, Usage: "a plan to price, by tariff `NAME`; repeat for each plan"},
			&cli.BoolFlag{Name: "all-tariffs", Usage: "price every stored tariff"},
			&cli.StringFlag{Name: "chart", Usage: "draw the yearly cost per plan, without and with its best battery, to `FILE`.svg or FILE.png"},
		}, batterySettingFlags()...),
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
	cmp := report.CompareOptions{Options: opts.Options, AllTariffs: c.Bool("all-tariffs")}
	if r, ok := c.Generic("tariff").(*repeated); ok {
		cmp.Tariffs = r.values
	}
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	return showComparison(c.Context, env, db, cmp, opts.reportOutput)
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
