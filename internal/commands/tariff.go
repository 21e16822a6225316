package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/urfave/cli/v2"

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
				Action: tariffAdd,
			},
			{
				Name:   "list",
				Usage:  "list tariffs with their prices",
				Action: tariffList,
			},
			{
				Name:      "show",
				Usage:     "show a tariff's components",
				ArgsUsage: "NAME",
				Action:    tariffShow,
			},
		},
	}
}

func tariffAdd(c *cli.Context) error {
	if c.NArg() != 1 {
		return errors.New("tariff add needs exactly one NAME")
	}
	t := &tariff.Tariff{Name: strings.TrimSpace(c.Args().First()), Retailer: strings.TrimSpace(c.String("retailer"))}
	if t.Name == "" {
		return errors.New("tariff name must not be empty")
	}
	var opts tariff.PlanOptions
	if c.IsSet("gst") {
		gst, err := parsePercent(c.String("gst"))
		if err != nil {
			return fmt.Errorf("--gst: %w", err)
		}
		opts.GSTPercent = &gst
	}
	for _, a := range strings.Split(c.String("assume"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			opts.Assume = append(opts.Assume, a)
		}
	}
	var plan *tariff.Plan
	if path := c.String("file"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading plan: %w", err)
		}
		if plan, err = tariff.ReadPlan(data, opts); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		t.Components = plan.Components
		if t.Retailer == "" {
			t.Retailer = plan.Retailer
		}
	} else if len(opts.Assume) > 0 {
		return errors.New("--assume needs a plan --file with conditional discounts or premium feed-in")
	}
	if t.Retailer == "" {
		return errors.New("give the tariff's --retailer")
	}
	flat := []struct {
		flag string
		make func(models.Money) tariff.Component
	}{
		{"supply", func(m models.Money) tariff.Component {
			s := &tariff.DailySupplyCharge{}
			s.Amount = m
			return s
		}},
		{"usage", func(m models.Money) tariff.Component {
			u := &tariff.UsageRate{}
			u.Rate = m
			return u
		}},
		{"feed-in", func(m models.Money) tariff.Component {
			f := &tariff.FeedInRate{}
			f.Rate = m
			return f
		}},
	}
	for _, f := range flat {
		if !c.IsSet(f.flag) {
			continue
		}
		m, err := models.ParseMoney(strings.TrimSpace(c.String(f.flag)))
		if err != nil {
			return fmt.Errorf("--%s: %w", f.flag, err)
		}
		t.Components = append(t.Components, f.make(m))
		if opts.GSTPercent != nil && f.flag != "feed-in" {
			// A flag's charge is priced like a plan's: a --gst given
			// applies to it too (a CDR plan's default 10% does not).
			tariff.AddGST(t.Components[len(t.Components)-1:], *opts.GSTPercent)
		}
	}
	if len(t.Components) == 0 {
		return fmt.Errorf("tariff %q has no prices: give --supply, --usage, --feed-in or --file", t.Name)
	}

	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	if err := tariff.SaveTariff(c.Context, db, tariff.Components, t); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Added tariff %q (retailer %q, %d components):\n", t.Name, t.Retailer, len(t.Components))
	if err := writeComponents(env.Stdout, t); err != nil {
		return err
	}
	return writePlanNotes(env.Stdout, t, plan, opts)
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

func tariffList(c *cli.Context) error {
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	tariffs, err := tariff.LoadTariffs(c.Context, db, tariff.Components)
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

func tariffShow(c *cli.Context) error {
	if c.NArg() != 1 {
		return errors.New("tariff show needs exactly one NAME")
	}
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	t, err := tariff.LoadTariff(c.Context, db, tariff.Components, c.Args().First())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Tariff %q, retailer %q\n", t.Name, t.Retailer)
	if err := writeComponents(env.Stdout, t); err != nil {
		return err
	}
	if t.UsesHolidays() {
		n, err := db.NewSelect().Model((*models.PublicHoliday)(nil)).Count(c.Context)
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
