package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/render"
	"github.com/solarview/solarview/internal/report"
)

// compareCommand ranks plans with and without a battery. Its battery flags
// are battery's, read by the same batterySettingsFrom.
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
		Action: leaf(compareOptsFrom, compare),
	}
}

// compareOpts are compare's options: the battery settings it shares with
// battery, the site and the plans.
type compareOpts struct {
	batterySettings
	Site string
	// Tariffs are the plans named with --tariff, in order.
	Tariffs    []string
	AllTariffs bool
	// Chart is the file the chart is drawn to, "" for none.
	Chart string

	// Set by Validate.
	report batteryRequest
}

func compareOptsFrom(c *cli.Context) *compareOpts {
	o := &compareOpts{batterySettings: batterySettingsFrom(c), Site: c.String("site"),
		AllTariffs: c.Bool("all-tariffs"), Chart: c.String("chart")}
	if r, ok := c.Generic("tariff").(*repeated); ok {
		o.Tariffs = r.values
	}
	return o
}

func (o *compareOpts) Validate() error {
	if err := o.checkNumbers(); err != nil {
		return err
	}
	var err error
	o.report, err = o.reportOptions(o.Site, o.Chart)
	return err
}

func compare(ctx context.Context, env *Env, o *compareOpts) error {
	cmp := report.CompareOptions{Options: o.report.Options, AllTariffs: o.AllTariffs, Tariffs: o.Tariffs}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	return showComparison(ctx, env, db, cmp, o.report.reportOutput)
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
