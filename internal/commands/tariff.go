package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/internal/tariff"
	"github.com/solarview/solarview/models"
)

func tariffCommand() *cli.Command {
	return &cli.Command{
		Name:  "tariff",
		Usage: "add, list or show tariffs (a retailer's plan and its prices)",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add a tariff: flat prices from flags, anything else from a plan file",
				ArgsUsage: "NAME",
				Description: "Prices are in currency units: --supply per day, --usage and --feed-in per kWh.\n" +
					"--file reads a JSON plan: solarview's own format (time of use, seasons, block\n" +
					"rates, time-varying feed-in, demand charges) or a Consumer Data Right\n" +
					"EnergyPlanDetail document exactly as a retailer publishes it; both are\n" +
					"documented in the README. Flags and file combine. CDR prices exclude GST:\n" +
					"--gst (10% by default for CDR plans) is added to every charge, never to feed-in\n" +
					"credits. A conditional discount applies only under --assume; what the plan\n" +
					"holds that solarview does not price is listed. The retailer is created if it\n" +
					"does not exist (a CDR plan's brand by default). Everything is added in one\n" +
					"transaction.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "retailer", Usage: "retailer `NAME` (created if missing; default: a CDR plan's brandName)"},
					&cli.StringFlag{Name: "supply", Usage: "daily supply charge, per day (e.g. 1.10)"},
					&cli.StringFlag{Name: "usage", Usage: "flat usage rate, per kWh imported (e.g. 0.30)"},
					&cli.StringFlag{Name: "feed-in", Usage: "flat feed-in rate, per kWh exported (e.g. 0.05)"},
					&cli.StringFlag{Name: "file", Usage: "JSON plan `FILE`: solarview's plan format or a CDR EnergyPlanDetail document"},
					&cli.StringFlag{Name: "gst", Usage: "GST `RATE` added to the plan's charges (e.g. 10%); default 10% for CDR plans, none otherwise"},
					&cli.StringFlag{Name: "assume", Usage: "conditions you meet, comma-separated: " + strings.Join(tariff.Assumptions, ", ")},
				},
				Action: leaf(tariffAddOptsFrom, tariffAdd),
			},
			{
				Name:   "list",
				Usage:  "list tariffs with their prices",
				Action: leaf(tariffListOptsFrom, tariffList),
			},
			{
				Name:      "show",
				Usage:     "show a tariff's components",
				ArgsUsage: "NAME",
				Action:    leaf(tariffShowOptsFrom, tariffShow),
			},
		},
	}
}

type tariffAddOpts struct {
	Name string
	// Retailer is --retailer, nil when not given.
	Retailer *string
	// Supply, Usage and FeedIn are the flat prices, nil when not given.
	Supply, Usage, FeedIn *string
	// File is the JSON plan, "" for none.
	File string
	// GST is --gst, nil when not given.
	GST *string
	// Assume lists the conditions met, comma-separated.
	Assume string

	// Set by Validate.
	plan tariff.PlanOptions
	flat []tariff.Component // from Supply, Usage and FeedIn, GST included
}

func tariffAddOptsFrom(c *cli.Context) *tariffAddOpts {
	return &tariffAddOpts{Name: c.Args().First(), Retailer: optional(c, "retailer"),
		Supply: optional(c, "supply"), Usage: optional(c, "usage"), FeedIn: optional(c, "feed-in"),
		File: c.String("file"), GST: optional(c, "gst"), Assume: c.String("assume")}
}

// Validate checks everything but the plan file, which the run reads: with
// no file, the flags must give the retailer and a price.
func (o *tariffAddOpts) Validate() error {
	if err := names.Check("tariff", o.Name); err != nil {
		return err
	}
	if err := checkNameFlag("retailer", "retailer", o.Retailer); err != nil {
		return err
	}
	if err := checkNumberFlags(numberFlag{"supply", o.Supply}, numberFlag{"usage", o.Usage},
		numberFlag{"feed-in", o.FeedIn}, numberFlag{"gst", o.GST}); err != nil {
		return err
	}
	o.plan, o.flat = tariff.PlanOptions{}, nil
	if o.GST != nil {
		gst, err := parsePercent(*o.GST)
		if err != nil {
			return fmt.Errorf("--gst: %w", err)
		}
		o.plan.GSTPercent = &gst
	}
	for _, a := range strings.Split(o.Assume, ",") {
		if a = strings.TrimSpace(a); a != "" {
			o.plan.Assume = append(o.plan.Assume, a)
		}
	}
	if o.File == "" {
		if len(o.plan.Assume) > 0 {
			return errors.New("--assume needs a plan --file with conditional discounts or premium feed-in")
		}
		if o.retailer() == "" {
			return errTariffRetailer
		}
	}
	flat := []struct {
		flag  string
		value *string
		make  func(models.Money) tariff.Component
	}{
		{"supply", o.Supply, func(m models.Money) tariff.Component {
			s := &tariff.DailySupplyCharge{}
			s.Amount = m
			return s
		}},
		{"usage", o.Usage, func(m models.Money) tariff.Component {
			u := &tariff.UsageRate{}
			u.Rate = m
			return u
		}},
		{"feed-in", o.FeedIn, func(m models.Money) tariff.Component {
			f := &tariff.FeedInRate{}
			f.Rate = m
			return f
		}},
	}
	for _, f := range flat {
		if f.value == nil {
			continue
		}
		m, err := models.ParseMoney(strings.TrimSpace(*f.value))
		if err != nil {
			return fmt.Errorf("--%s: %w", f.flag, err)
		}
		o.flat = append(o.flat, f.make(m))
		if o.plan.GSTPercent != nil && f.flag != "feed-in" {
			// A flag's charge is priced like a plan's: a --gst given
			// applies to it too (a CDR plan's default 10% does not).
			tariff.AddGST(o.flat[len(o.flat)-1:], *o.plan.GSTPercent)
		}
	}
	if o.File == "" && len(o.flat) == 0 {
		return o.noPrices()
	}
	return nil
}

// errTariffRetailer refuses a tariff whose retailer neither --retailer nor
// its plan names.
var errTariffRetailer = errors.New("give the tariff's --retailer")

// retailer is --retailer, trimmed.
func (o *tariffAddOpts) retailer() string {
	if o.Retailer == nil {
		return ""
	}
	return strings.TrimSpace(*o.Retailer)
}

func (o *tariffAddOpts) noPrices() error {
	return fmt.Errorf("tariff %q has no prices: give --supply, --usage, --feed-in or --file", strings.TrimSpace(o.Name))
}

func tariffAdd(ctx context.Context, env *Env, opts *tariffAddOpts) error {
	t := &tariff.Tariff{Name: strings.TrimSpace(opts.Name), Retailer: opts.retailer()}
	var plan *tariff.Plan
	if path := opts.File; path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading plan: %w", err)
		}
		if plan, err = tariff.ReadPlan(data, opts.plan); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		t.Components = plan.Components
		if t.Retailer == "" {
			t.Retailer = plan.Retailer
		}
		if t.Retailer == "" {
			return errTariffRetailer
		}
	}
	t.Components = append(t.Components, opts.flat...)
	if len(t.Components) == 0 {
		return opts.noPrices()
	}

	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	if err := tariff.SaveTariff(ctx, db, tariff.Components, t); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Added tariff %q (retailer %q, %d components):\n", t.Name, t.Retailer, len(t.Components))
	if err := writeComponents(env.Stdout, t); err != nil {
		return err
	}
	return writePlanNotes(env.Stdout, t, plan, opts.plan)
}

// writePlanNotes says how a plan file was read: its format, the GST added,
// the assumptions that changed the price, and every part of the plan that
// is not priced, so nothing is dropped silently.
func writePlanNotes(w io.Writer, t *tariff.Tariff, plan *tariff.Plan, opts tariff.PlanOptions) error {
	gst := opts.GSTPercent
	if plan != nil {
		g := plan.GSTPercent
		gst = &g
		name := ""
		if plan.Name != "" {
			name = fmt.Sprintf(" %q", plan.Name)
		}
		fmt.Fprintf(w, "Read %s%s.\n", plan.Format, name)
	}
	if gst != nil && *gst != 0 {
		fmt.Fprintf(w, "Charges include GST at %s%%, added to the prices given; feed-in credits have none.\n", trimZeros(*gst))
	}
	if plan == nil {
		return nil
	}
	if len(plan.Applied) > 0 {
		fmt.Fprintf(w, "Assumed: %s.\n", strings.Join(plan.Applied, ", "))
	}
	for _, a := range opts.Assume {
		if !slices.Contains(plan.Applied, a) {
			fmt.Fprintf(w, "--assume %s changed nothing: the plan has nothing that depends on it.\n", a)
		}
	}
	if t.UsesHolidays() {
		fmt.Fprintln(w, "Its time-of-use windows name public holidays: load them with `solarview holidays import FILE`.")
	}
	if len(plan.Unpriced) > 0 {
		fmt.Fprintf(w, "Not priced (%d):\n", len(plan.Unpriced))
		for _, u := range plan.Unpriced {
			fmt.Fprintf(w, "  - %s\n", u)
		}
	}
	return nil
}

// trimZeros shows a percentage without trailing zeros: "10", "12.5".
func trimZeros(m models.Money) string {
	return strings.TrimSuffix(strings.TrimRight(m.String(), "0"), ".")
}

// parsePercent reads "10%", "10" (both per cent) or "0.1" (a fraction,
// as below 1) as a percentage.
func parsePercent(s string) (models.Money, error) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	m, err := models.ParseMoney(strings.TrimSpace(strings.TrimSuffix(s, "%")))
	if err != nil {
		return 0, err
	}
	if !pct && m < models.Unit && m > 0 {
		m *= 100
	}
	if m < 0 || m > 100*models.Unit {
		return 0, fmt.Errorf("%q is not a rate between 0%% and 100%%", s)
	}
	return m, nil
}

type tariffListOpts struct{}

func tariffListOptsFrom(*cli.Context) *tariffListOpts { return &tariffListOpts{} }

func (*tariffListOpts) Validate() error { return nil }

func tariffList(ctx context.Context, env *Env, _ *tariffListOpts) error {
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	tariffs, err := tariff.LoadTariffs(ctx, db, tariff.Components)
	if err != nil {
		return err
	}
	if len(tariffs) == 0 {
		fmt.Fprintln(env.Stdout, "No tariffs yet: add one with `solarview tariff add NAME --retailer R --supply 1.10 --usage 0.30`.")
		return nil
	}
	t := table.NewWriter()
	t.SetOutputMirror(env.Stdout)
	t.SetStyle(table.StyleLight)
	t.AppendHeader(table.Row{"Tariff", "Retailer", "Supply /day", "Usage /kWh", "Feed-in /kWh", "Demand /kW/day"})
	for _, tr := range tariffs {
		t.AppendRow(table.Row{tr.Name, tr.Retailer,
			priceSummary(tr, tariff.Supply), priceSummary(tr, tariff.Usage),
			priceSummary(tr, tariff.FeedIn), priceSummary(tr, tariff.Demand)})
	}
	t.Render()
	return nil
}

// priceSummary condenses a tariff's prices of one category for a list: the
// price when there is one, the range and count for time of use. The
// controlled load's prices are left to `tariff show`: the list is about
// the general circuit.
func priceSummary(t *tariff.Tariff, cat tariff.Category) string {
	var prices []models.Money
	windowed, steps := false, false
	for _, c := range t.Components {
		if c.Category() != cat || tariff.ForControlledLoad(c) {
			continue
		}
		switch v := c.(type) {
		case *tariff.DailySupplyCharge:
			prices = append(prices, v.Amount)
		case *tariff.UsageRate:
			prices = append(prices, v.Rate)
		case *tariff.FeedInRate:
			prices = append(prices, v.Rate)
		case *tariff.DemandCharge:
			prices = append(prices, v.Rate)
		case *tariff.BlockRate:
			prices = append(prices, v.Rates...)
			steps = true
		default:
			return "see show"
		}
		if w, err := tariff.CompileWindow(c.When()); err == nil && !w.IsAlways() {
			windowed = true
		}
	}
	switch {
	case len(prices) == 0:
		return "-"
	case len(prices) == 1 && !windowed:
		return prices[0].String()
	}
	lo, hi := prices[0], prices[0]
	for _, p := range prices {
		lo, hi = min(lo, p), max(hi, p)
	}
	windows := fmt.Sprintf("%d windows", len(prices))
	switch {
	case steps:
		windows = "stepped"
	case len(prices) == 1:
		windows = "1 window"
	}
	if lo == hi {
		return fmt.Sprintf("%s (%s)", lo, windows)
	}
	return fmt.Sprintf("%s–%s (%s)", lo, hi, windows)
}

type tariffShowOpts struct {
	Name string
}

func tariffShowOptsFrom(c *cli.Context) *tariffShowOpts {
	return &tariffShowOpts{Name: c.Args().First()}
}

func (*tariffShowOpts) Validate() error { return nil }

func tariffShow(ctx context.Context, env *Env, opts *tariffShowOpts) error {
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	t, err := tariff.LoadTariff(ctx, db, tariff.Components, opts.Name)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Tariff %q, retailer %q\n", t.Name, t.Retailer)
	if err := writeComponents(env.Stdout, t); err != nil {
		return err
	}
	if t.UsesHolidays() {
		n, err := db.NewSelect().Model((*models.PublicHoliday)(nil)).Count(ctx)
		if err != nil {
			return fmt.Errorf("counting public holidays: %w", err)
		}
		fmt.Fprintf(env.Stdout, "Its windows name public holidays; %d are loaded (`solarview holidays import FILE`).\n", n)
	}
	if err := t.Validate(); err != nil {
		fmt.Fprintf(env.Stdout, "Warning: %v\n", err)
	}
	return nil
}

// writeComponents prints a tariff's components, one per row, grouped by
// category.
func writeComponents(w io.Writer, t *tariff.Tariff) error {
	tw := table.NewWriter()
	tw.SetOutputMirror(w)
	tw.SetStyle(table.StyleLight)
	tw.AppendHeader(table.Row{"Component", "Label", "Price and when"})
	for _, cat := range []tariff.Category{tariff.Supply, tariff.Usage, tariff.FeedIn, tariff.Demand, tariff.Discount, tariff.Other} {
		for _, c := range t.Components {
			if c.Category() != cat {
				continue
			}
			kind, ok := tariff.Components.ModelOf(c)
			if !ok {
				kind = cat.String()
			}
			kind = strings.ReplaceAll(strings.ReplaceAll(kind, "_", " "), "feed in", "feed-in")
			if tariff.ForControlledLoad(c) {
				kind = "controlled load " + kind
			}
			tw.AppendRow(table.Row{kind, c.ComponentBase().Label, c.Describe()})
		}
	}
	tw.Render()
	return nil
}
