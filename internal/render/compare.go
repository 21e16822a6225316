package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/report"
	"github.com/solarview/solarview/models"
)

// barGrey fills the bars with a battery, next to the default (black) bars
// without one.
var barGrey = color.Gray{Y: 160}

// WriteComparison writes c to w in format f.
func WriteComparison(w io.Writer, c *report.Comparison, f Format) error {
	f, err := ParseFormat(string(f))
	if err != nil {
		return err
	}
	switch f {
	case FormatJSON:
		return writeComparisonJSON(w, c)
	case FormatCSV:
		return writeComparisonCSV(w, c)
	}
	return writeComparisonTable(w, c)
}

func signedCents(m *models.Money) string {
	if m == nil {
		return ""
	}
	return cents(*m).String()
}

func writeComparisonTable(w io.Writer, c *report.Comparison) error {
	rep := c.First()
	fmt.Fprintf(w, "Plans for site %q (%s), money in %s\n", c.Site, c.TimeZone, rep.Currency)
	writeDataLines(w, rep)
	fmt.Fprintf(w, "Each plan is priced as if the site had been on it, in %s.\n", describeBills(c))
	first := rep.Results[0]
	fmt.Fprintf(w, "Batteries: %s.\n", batteryNames(batteriesOf(rep)))
	fmt.Fprintf(w, "Convention: %s", first.Convention)
	if len(rep.Results) > 1 {
		fmt.Fprint(w, " (likewise for each size)")
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintf(w, "Power limit: %s.\n", describePower(first.Config))
	if rep.Price != nil {
		fmt.Fprintf(w, "Best battery on each plan: the shortest payback at a price of %s.\n", rep.Price)
	} else {
		fmt.Fprintln(w, "Best battery on each plan: the largest savings (give --price for payback).")
	}
	fmt.Fprintln(w)

	t := newTable(w)
	header := table.Row{"#", "Plan", "Cost/year", "Saves vs current", "Best battery", "Battery saves/year", "Cost/year with it", "With it, saves vs current"}
	if rep.Price != nil {
		header = append(header, "Payback")
		if rep.DiscountRate != nil {
			header = append(header, "NPV")
		}
	}
	t.AppendHeader(header)
	for i, p := range c.Ranked() {
		rank := strconv.Itoa(i + 1)
		if c.Current != nil {
			rank = strconv.Itoa(i)
			if p.Current {
				rank = "ref"
			}
		}
		row := table.Row{rank, p.Name, cents(p.YearlyCost).String(), signedCents(p.SavingsVsCurrent)}
		best := p.BestResult()
		if best == nil {
			row = append(row, "none saves", "", cents(p.BestYearlyCost).String(), signedCents(p.BestSavingsVsCurrent))
			if rep.Price != nil {
				row = append(row, "")
				if rep.DiscountRate != nil {
					row = append(row, "")
				}
			}
		} else {
			row = append(row, best.Label, cents(best.SavingsPerYear).String(), cents(p.BestYearlyCost).String(), signedCents(p.BestSavingsVsCurrent))
			if rep.Price != nil {
				row = append(row, years(best.PaybackYears)+beyondLifetime(p.Report, *best))
				if best.NPV != nil {
					row = append(row, cents(*best.NPV).String())
				}
			}
		}
		t.AppendRow(row)
	}
	cfgs := []table.ColumnConfig{}
	for _, n := range []int{3, 4, 6, 7, 8, 10} {
		cfgs = append(cfgs, table.ColumnConfig{Number: n, Align: text.AlignRight})
	}
	t.SetColumnConfigs(cfgs)
	t.Render()
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Cost/year: the plan's bills over the %d days priced, times 365; \"saves vs current\": the current plan's cost per year minus it.\n", rep.DaysPriced)
	if cheapest := cheapestWithBattery(c); cheapest != nil {
		if r := cheapest.BestResult(); r != nil {
			fmt.Fprintf(w, "Cheapest with a battery: %s with %s, %s per year.\n", cheapest.Name, r.Label, cents(cheapest.BestYearlyCost))
		}
	}
	fmt.Fprintln(w, "Every plan with every battery: --format csv or json.")
	writeFinanceNote(w, rep)
	return nil
}

// cheapestWithBattery is the plan whose best battery leaves the lowest
// yearly cost; nil when no battery saves anything anywhere.
func cheapestWithBattery(c *report.Comparison) *report.Plan {
	var best *report.Plan
	for _, p := range c.Ranked() {
		if p.BestResult() != nil && (best == nil || p.BestYearlyCost < best.BestYearlyCost) {
			best = p
		}
	}
	return best
}

// describeBills says what a plan's bills are, for the report's heading.
func describeBills(c *report.Comparison) string {
	rep := c.First()
	if len(rep.Results) == 0 {
		return c.Boundaries
	}
	ps := rep.Results[0].Periods
	if len(ps) == 0 {
		return c.Boundaries
	}
	return fmt.Sprintf("%d bills in the site's %s, %s to %s, %d days priced", len(ps), c.Boundaries,
		ps[0].Start.Format(time.DateOnly), lastDay(ps[len(ps)-1].End), rep.DaysPriced)
}

// batteryNames lists the batteries compared.
func batteryNames(cfgs []battery.Config) string {
	names := make([]string, len(cfgs))
	for i, c := range cfgs {
		names[i] = c.Label()
	}
	return strings.Join(names, ", ")
}

func batteriesOf(rep *report.Report) []battery.Config {
	out := make([]battery.Config, len(rep.Results))
	for i, r := range rep.Results {
		out[i] = r.Config
	}
	return out
}

// The JSON document of `compare`: the plans in rank order (the current
// plan first), each with the comparison's figures and, in results, what
// `battery --format json` gives for each battery on that plan.
type jsonComparison struct {
	Site              string     `json:"site"`
	TimeZone          string     `json:"timezone"`
	From              *string    `json:"from"`
	To                *string    `json:"to"`
	Currency          string     `json:"currency"`
	Boundaries        string     `json:"boundaries"`
	Data              jsonData   `json:"data"`
	DaysPriced        int        `json:"days_priced"`
	UnpricedIntervals int        `json:"unpriced_intervals"`
	Price             *string    `json:"price"`
	DiscountRate      *float64   `json:"discount_rate"`
	LifetimeYears     int        `json:"lifetime_years"`
	BestBy            string     `json:"best_by"`
	FinanceConvention string     `json:"finance_convention"`
	Plans             []jsonPlan `json:"plans"`
}

type jsonPlan struct {
	Rank                        int          `json:"rank"`
	Name                        string       `json:"name"`
	Current                     bool         `json:"current"`
	Tariffs                     []string     `json:"tariffs"`
	YearlyCost                  cents        `json:"yearly_cost"`
	SavingsVsCurrentPerYear     *cents       `json:"savings_vs_current_per_year"`
	BestBattery                 *string      `json:"best_battery"`
	BestCapacityWh              *float64     `json:"best_capacity_wh"`
	BestBatterySavingsPerYear   *cents       `json:"best_battery_savings_per_year"`
	BestYearlyCost              cents        `json:"best_yearly_cost"`
	BestSavingsVsCurrentPerYear *cents       `json:"best_savings_vs_current_per_year"`
	BestPaybackYears            *float64     `json:"best_payback_years"`
	BestPaybackWithinLifetime   *bool        `json:"best_payback_within_lifetime"`
	BaselineCost                cents        `json:"baseline_cost"`
	Results                     []jsonResult `json:"results"`
}

func writeComparisonJSON(w io.Writer, c *report.Comparison) error {
	rep := c.First()
	doc := jsonComparison{
		Site: c.Site, TimeZone: c.TimeZone, From: optDate(c.From), To: optDate(c.To),
		Currency: rep.Currency, Boundaries: c.Boundaries, Data: jsonDataOf(rep),
		DaysPriced: rep.DaysPriced, UnpricedIntervals: rep.Unpriced.Intervals,
		DiscountRate: rep.DiscountRate, LifetimeYears: rep.LifetimeYears, BestBy: rep.BestBy,
		FinanceConvention: report.FinanceConvention,
	}
	if rep.Price != nil {
		s := rep.Price.String()
		doc.Price = &s
	}
	for i, p := range c.Ranked() {
		jp := jsonPlan{
			Rank: i + 1, Name: p.Name, Current: p.Current, Tariffs: p.Tariffs,
			YearlyCost: cents(p.YearlyCost), SavingsVsCurrentPerYear: centsPtr(p.SavingsVsCurrent),
			BestYearlyCost: cents(p.BestYearlyCost), BestSavingsVsCurrentPerYear: centsPtr(p.BestSavingsVsCurrent),
			Results: make([]jsonResult, 0, len(p.Report.Results)),
		}
		if c.Current != nil {
			jp.Rank = i
		}
		if len(p.Report.Results) > 0 {
			jp.BaselineCost = cents(p.Report.Results[0].BaselineCost)
		}
		if r := p.BestResult(); r != nil {
			label, capWh, sav := r.Label, r.Config.CapacityWh, cents(r.SavingsPerYear)
			jp.BestBattery, jp.BestCapacityWh, jp.BestBatterySavingsPerYear = &label, &capWh, &sav
			if r.Price != nil {
				in := r.PaysBackInLifetime
				jp.BestPaybackWithinLifetime = &in
				if !math.IsInf(r.PaybackYears, 0) {
					y := r.PaybackYears
					jp.BestPaybackYears = &y
				}
			}
		}
		for j := range p.Report.Results {
			jp.Results = append(jp.Results, jsonResultOf(p.Report, j))
		}
		doc.Plans = append(doc.Plans, jp)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// comparisonCSVHeader: one row per plan and battery, plus a row per plan
// without a battery (battery empty), in rank order.
var comparisonCSVHeader = []string{
	"rank", "plan", "current", "battery", "capacity_wh", "days_priced",
	"baseline_cost", "cost", "yearly_cost", "savings_vs_current_per_year",
	"battery_savings", "battery_savings_per_year", "price", "payback_years", "payback_within_lifetime", "npv", "best",
}

func writeComparisonCSV(w io.Writer, c *report.Comparison) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(comparisonCSVHeader); err != nil {
		return err
	}
	rep := c.First()
	for i, p := range c.Ranked() {
		rank := i + 1
		if c.Current != nil {
			rank = i
		}
		head := []string{strconv.Itoa(rank), p.Name, strconv.FormatBool(p.Current)}
		base := p.Report.Results[0].BaselineCost
		row := append(append([]string(nil), head...), "", "", strconv.Itoa(rep.DaysPriced),
			cents(base).String(), cents(base).String(), cents(p.YearlyCost).String(), signedCents(p.SavingsVsCurrent),
			"", "", "", "", "", "", "")
		if err := cw.Write(row); err != nil {
			return err
		}
		for j, r := range p.Report.Results {
			yearly := c.PerYear(r.Cost)
			var vs string
			if c.Current != nil {
				vs = cents(c.Current.YearlyCost - yearly).String()
			}
			price, payback, inLife, npvS := "", "", "", ""
			if r.Price != nil {
				price, payback, inLife = cents(*r.Price).String(), "never", strconv.FormatBool(r.PaysBackInLifetime)
				if !math.IsInf(r.PaybackYears, 0) {
					payback = strconv.FormatFloat(r.PaybackYears, 'f', 2, 64)
				}
			}
			if r.NPV != nil {
				npvS = cents(*r.NPV).String()
			}
			row := append(append([]string(nil), head...), r.Label, strconv.FormatFloat(r.Config.CapacityWh, 'f', -1, 64),
				strconv.Itoa(rep.DaysPriced), cents(r.BaselineCost).String(), cents(r.Cost).String(), cents(yearly).String(), vs,
				cents(r.Savings).String(), cents(r.SavingsPerYear).String(), price, payback, inLife, npvS,
				strconv.FormatBool(j == p.Report.Best))
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// DrawComparisonChart draws the yearly cost of each plan without a battery
// and with its best battery, side by side, in rank order, as SVG or PNG by
// the file's extension.
func DrawComparisonChart(c *report.Comparison, file string) error {
	return writeChart(file, func() (*plot.Plot, error) { return comparisonChart(c) })
}

func comparisonChart(c *report.Comparison) (*plot.Plot, error) {
	rep := c.First()
	ranked := c.Ranked()
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Yearly cost by plan: %s", c.Site)
	p.Y.Label.Text = fmt.Sprintf("Cost per year (%s)", rep.Currency)
	without := make(plotter.Values, len(ranked))
	with := make(plotter.Values, len(ranked))
	names := make([]string, len(ranked))
	top := 0.0
	for i, pl := range ranked {
		without[i] = float64(pl.YearlyCost.RoundCents()) / float64(models.Unit)
		with[i] = float64(pl.BestYearlyCost.RoundCents()) / float64(models.Unit)
		names[i] = pl.Name
		top = math.Max(top, math.Max(without[i], with[i]))
	}
	w := vg.Points(14)
	a, err := plotter.NewBarChart(without, w)
	if err != nil {
		return nil, err
	}
	a.Offset = -w / 2
	b, err := plotter.NewBarChart(with, w)
	if err != nil {
		return nil, err
	}
	b.Offset = w / 2
	b.Color = barGrey
	p.Add(plotter.NewGrid(), a, b)
	p.Legend.Add("without a battery", a)
	p.Legend.Add("with the plan's best battery", b)
	p.Legend.Top = true
	p.NominalX(names...)
	// Costs are compared from zero, with room above the tallest bar for
	// the legend.
	p.Y.Min, p.Y.Max = 0, top*1.25
	if top <= 0 {
		p.Y.Max = 1
	}
	return p, nil
}
