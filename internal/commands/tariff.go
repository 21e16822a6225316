package commands

import (
	"errors"
	"fmt"
	"io"
	"os"
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
					"--file reads a JSON plan (time of use, seasons, time-varying feed-in, demand\n" +
					"charges), documented in the README; flags and file combine. The retailer is\n" +
					"created if it does not exist. Everything is added in one transaction.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "retailer", Required: true, Usage: "retailer `NAME` (created if missing)"},
					&cli.StringFlag{Name: "supply", Usage: "daily supply charge, per day (e.g. 1.10)"},
					&cli.StringFlag{Name: "usage", Usage: "flat usage rate, per kWh imported (e.g. 0.30)"},
					&cli.StringFlag{Name: "feed-in", Usage: "flat feed-in rate, per kWh exported (e.g. 0.05)"},
					&cli.StringFlag{Name: "file", Usage: "JSON plan `FILE` with time-of-use, seasonal and demand components"},
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
	t := &tariff.Tariff{Name: strings.TrimSpace(c.Args().First()), Retailer: c.String("retailer")}
	if t.Name == "" {
		return errors.New("tariff name must not be empty")
	}
	if path := c.String("file"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading plan: %w", err)
		}
		comps, err := tariff.ParsePlan(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		t.Components = comps
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
	return writeComponents(env.Stdout, t)
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
// price when there is one, the range and count for time of use.
func priceSummary(t *tariff.Tariff, cat tariff.Category) string {
	var prices []models.Money
	windowed := false
	for _, c := range t.Components {
		if c.Category() != cat {
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
	if len(prices) == 1 {
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
	for _, cat := range []tariff.Category{tariff.Supply, tariff.Usage, tariff.FeedIn, tariff.Demand, tariff.Other} {
		for _, c := range t.Components {
			if c.Category() != cat {
				continue
			}
			kind, ok := tariff.Components.ModelOf(c)
			if !ok {
				kind = cat.String()
			}
			kind = strings.ReplaceAll(strings.ReplaceAll(kind, "_", " "), "feed in", "feed-in")
			tw.AppendRow(table.Row{kind, c.ComponentBase().Label, c.Describe()})
		}
	}
	tw.Render()
	return nil
}
