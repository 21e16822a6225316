package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/solarview/solarview/internal/report"
	"github.com/solarview/solarview/models"
)

// Write writes rep to w in format f.
func Write(w io.Writer, rep *report.Report, f Format) error {
	f, err := ParseFormat(string(f))
	if err != nil {
		return err
	}
	switch f {
	case FormatJSON:
		return writeJSON(w, rep)
	case FormatCSV:
		return writeCSV(w, rep)
	}
	return writeTable(w, rep)
}

// cents is money as reports show it: rounded once, to the cent, from the
// exact total.
type cents models.Money

func (c cents) MarshalJSON() ([]byte, error) { return []byte(c.String()), nil }
func (c cents) String() string               { return models.Money(c).RoundCents().String() }

func centsPtr(m *models.Money) *cents {
	if m == nil {
		return nil
	}
	c := cents(*m)
	return &c
}

// lastDay is the inclusive end of a period ending (exclusively) at end, as
// people and `billing add --to` say it.
func lastDay(end time.Time) string { return end.AddDate(0, 0, -1).Format(time.DateOnly) }

func optDate(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func optPower(w float64) *float64 {
	if w == 0 {
		return nil
	}
	return &w
}

// The JSON document. Field names of results and periods are a contract
// (design.md): model, capacity_wh, efficiency, baseline_import_wh,
// baseline_export_wh, import_wh, export_wh, savings, savings_per_year,
// periods[start, end, baseline_cost, cost, savings]. More may be added;
// none may be renamed.
type jsonReport struct {
	Site              string         `json:"site"`
	TimeZone          string         `json:"timezone"`
	From              *string        `json:"from"`
	To                *string        `json:"to"`
	Data              jsonData       `json:"data"`
	DaysPriced        int            `json:"days_priced"`
	UnpricedIntervals int            `json:"unpriced_intervals"`
	Price             *string        `json:"price"`
	DiscountRate      *float64       `json:"discount_rate"`
	LifetimeYears     int            `json:"lifetime_years"`
	BestBy            string         `json:"best_by"`
	Currency          string         `json:"currency"`
	FinanceConvention string         `json:"finance_convention"`
	Results           []jsonResult   `json:"results"`
	TypicalDay        []report.Point `json:"typical_day,omitempty"`
}

type jsonData struct {
	First            string  `json:"first"`
	End              string  `json:"end"`
	Intervals        int     `json:"intervals"`
	IntervalSeconds  float64 `json:"interval_seconds"`
	IntervalInferred bool    `json:"interval_inferred"`
	Gaps             int     `json:"gaps"`
	GapHours         float64 `json:"gap_hours"`
	LongestGapHours  float64 `json:"longest_gap_hours"`
	MissingValues    int     `json:"missing_values"`
	// GapList and ChannelGaps give every gap and every stretch where one
	// grid channel had no rows, with their dates.
	GapList     []jsonGap `json:"gap_list"`
	ChannelGaps []jsonGap `json:"channel_gaps"`
	// Warnings are the report's one-line warnings (an empty list when none).
	Warnings []string `json:"warnings"`
}

type jsonGap struct {
	Channel string  `json:"channel,omitempty"`
	From    string  `json:"from"`
	To      string  `json:"to"`
	Hours   float64 `json:"hours"`
}

type jsonResult struct {
	Label            string       `json:"label"`
	Model            string       `json:"model"`
	CapacityWh       float64      `json:"capacity_wh"`
	Efficiency       float64      `json:"efficiency"`
	ChargePowerW     *float64     `json:"charge_power_w"`
	DischargePowerW  *float64     `json:"discharge_power_w"`
	Convention       string       `json:"convention"`
	BaselineImportWh float64      `json:"baseline_import_wh"`
	BaselineExportWh float64      `json:"baseline_export_wh"`
	ImportWh         float64      `json:"import_wh"`
	ExportWh         float64      `json:"export_wh"`
	ChargedWh        float64      `json:"charged_wh"`
	DischargedWh     float64      `json:"discharged_wh"`
	LossesWh         float64      `json:"losses_wh"`
	Cycles           float64      `json:"cycles"`
	BaselineCost     cents        `json:"baseline_cost"`
	Cost             cents        `json:"cost"`
	Savings          cents        `json:"savings"`
	SavingsPerDay    cents        `json:"savings_per_day"`
	SavingsPerYear   cents        `json:"savings_per_year"`
	Price            *cents       `json:"price"`
	PaybackYears     *float64     `json:"payback_years"`
	PaybackInLife    *bool        `json:"payback_within_lifetime"`
	NPV              *cents       `json:"npv"`
	Best             bool         `json:"best"`
	Periods          []jsonPeriod `json:"periods"`
}

type jsonPeriod struct {
	Start            string  `json:"start"`
	End              string  `json:"end"`
	Tariff           string  `json:"tariff"`
	Days             int     `json:"days"`
	PeriodDays       int     `json:"period_days"`
	BaselineImportWh float64 `json:"baseline_import_wh"`
	BaselineExportWh float64 `json:"baseline_export_wh"`
	ImportWh         float64 `json:"import_wh"`
	ExportWh         float64 `json:"export_wh"`
	BaselineCost     cents   `json:"baseline_cost"`
	Cost             cents   `json:"cost"`
	Savings          cents   `json:"savings"`
}

func writeJSON(w io.Writer, rep *report.Report) error {
	doc := jsonReport{
		Site: rep.Site, TimeZone: rep.TimeZone, From: optDate(rep.From), To: optDate(rep.To),
		Data:       jsonDataOf(rep),
		DaysPriced: rep.DaysPriced, UnpricedIntervals: rep.Unpriced.Intervals,
		DiscountRate: rep.DiscountRate, LifetimeYears: rep.LifetimeYears, BestBy: rep.BestBy,
		Currency: rep.Currency, FinanceConvention: report.FinanceConvention,
		Results:    make([]jsonResult, 0, len(rep.Results)),
		TypicalDay: rep.Profile,
	}
	if rep.Price != nil {
		s := rep.Price.String()
		doc.Price = &s
	}
	for i := range rep.Results {
		doc.Results = append(doc.Results, jsonResultOf(rep, i))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func jsonDataOf(rep *report.Report) jsonData {
	d := rep.Data
	out := jsonData{
		First: d.First.Format(time.RFC3339), End: d.End.Format(time.RFC3339),
		Intervals: d.Intervals, IntervalSeconds: d.Nominal.Seconds(), IntervalInferred: d.Inferred,
		Gaps: d.Gaps, GapHours: d.GapTime.Hours(), LongestGapHours: d.LongestGap.Hours(),
		MissingValues: d.MissingValues,
		GapList:       make([]jsonGap, 0, len(rep.Gaps)),
		ChannelGaps:   make([]jsonGap, 0, len(rep.ChannelGaps)),
		Warnings:      append([]string{}, rep.Warnings...),
	}
	// On the site's clock, as the table shows them.
	loc := reportLocation(rep)
	for _, g := range rep.Gaps {
		out.GapList = append(out.GapList, jsonGap{From: g.From.In(loc).Format(time.RFC3339), To: g.To.In(loc).Format(time.RFC3339), Hours: g.Duration().Hours()})
	}
	for _, g := range rep.ChannelGaps {
		out.ChannelGaps = append(out.ChannelGaps, jsonGap{Channel: g.Channel,
			From: g.From.In(loc).Format(time.RFC3339), To: g.To.In(loc).Format(time.RFC3339), Hours: g.Duration().Hours()})
	}
	return out
}

// jsonResultOf is the i-th result as JSON. Period amounts are the bills
// (rounded to the cent) and totals their sums, as in the table.
func jsonResultOf(rep *report.Report, i int) jsonResult {
	r := rep.Results[i]
	t := r.Totals
	jr := jsonResult{
		Label: r.Label, Model: string(modelOf(r)), CapacityWh: r.Config.CapacityWh, Efficiency: r.Config.Efficiency,
		ChargePowerW: optPower(r.Config.ChargePowerW), DischargePowerW: optPower(r.Config.DischargePowerW),
		Convention:       r.Convention,
		BaselineImportWh: t.BaselineImportWh, BaselineExportWh: t.BaselineExportWh,
		ImportWh: t.ImportWh, ExportWh: t.ExportWh,
		ChargedWh: t.ChargedWh, DischargedWh: t.DischargedWh, LossesWh: t.LossesWh(),
		Cycles:       t.EquivalentFullCycles,
		BaselineCost: cents(r.BaselineCost), Cost: cents(r.Cost), Savings: cents(r.Savings),
		SavingsPerDay: cents(r.SavingsPerDay), SavingsPerYear: cents(r.SavingsPerYear),
		Price: centsPtr(r.Price), NPV: centsPtr(r.NPV),
		Best:    i == rep.Best,
		Periods: make([]jsonPeriod, 0, len(r.Periods)),
	}
	if r.Price != nil {
		in := r.PaysBackInLifetime
		jr.PaybackInLife = &in
		if !math.IsInf(r.PaybackYears, 0) {
			p := r.PaybackYears
			jr.PaybackYears = &p
		}
	}
	for _, p := range r.Periods {
		jr.Periods = append(jr.Periods, jsonPeriod{
			Start: p.Start.Format(time.DateOnly), End: lastDay(p.End), Tariff: p.Tariff, Days: p.Days, PeriodDays: p.PeriodDays,
			BaselineImportWh: p.BaselineImportWh, BaselineExportWh: p.BaselineExportWh,
			ImportWh: p.ImportWh, ExportWh: p.ExportWh,
			BaselineCost: cents(p.BaselineBill()), Cost: cents(p.Bill()), Savings: cents(p.Savings()),
		})
	}
	return jr
}

func modelOf(r report.Result) string {
	if r.Config.Model == "" {
		return "full"
	}
	return string(r.Config.Model)
}

// csvHeader is one row per battery and billing period: the battery's
// totals repeated on each of its periods, so the file stays flat.
var csvHeader = []string{
	"label", "model", "capacity_wh", "efficiency", "charge_power_w", "discharge_power_w",
	"baseline_import_wh", "baseline_export_wh", "import_wh", "export_wh", "charged_wh", "discharged_wh", "cycles",
	"baseline_cost", "cost", "savings", "savings_per_day", "savings_per_year", "price", "payback_years", "npv", "best",
	"period_start", "period_end", "tariff", "days", "period_days",
	"period_baseline_import_wh", "period_baseline_export_wh", "period_import_wh", "period_export_wh",
	"period_baseline_cost", "period_cost", "period_savings",
}

func writeCSV(w io.Writer, rep *report.Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	opt := func(v float64) string {
		if v == 0 {
			return ""
		}
		return f(v)
	}
	for i, r := range rep.Results {
		t := r.Totals
		price, payback, npvS := "", "", ""
		if r.Price != nil {
			price = cents(*r.Price).String()
			payback = "never"
			if !math.IsInf(r.PaybackYears, 0) {
				payback = strconv.FormatFloat(r.PaybackYears, 'f', 2, 64)
			}
		}
		if r.NPV != nil {
			npvS = cents(*r.NPV).String()
		}
		head := []string{
			r.Label, modelOf(r), f(r.Config.CapacityWh), f(r.Config.Efficiency),
			opt(r.Config.ChargePowerW), opt(r.Config.DischargePowerW),
			f(t.BaselineImportWh), f(t.BaselineExportWh), f(t.ImportWh), f(t.ExportWh),
			f(t.ChargedWh), f(t.DischargedWh), f(t.EquivalentFullCycles),
			cents(r.BaselineCost).String(), cents(r.Cost).String(), cents(r.Savings).String(),
			cents(r.SavingsPerDay).String(), cents(r.SavingsPerYear).String(), price, payback, npvS,
			strconv.FormatBool(i == rep.Best),
		}
		for _, p := range r.Periods {
			row := append(append([]string(nil), head...),
				p.Start.Format(time.DateOnly), lastDay(p.End), p.Tariff, strconv.Itoa(p.Days), strconv.Itoa(p.PeriodDays),
				f(p.BaselineImportWh), f(p.BaselineExportWh), f(p.ImportWh), f(p.ExportWh),
				cents(p.BaselineBill()).String(), cents(p.Bill()).String(), cents(p.Savings()).String())
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// kWh formats Wh as kWh with one decimal.
func kWh(wh float64) string { return strconv.FormatFloat(wh/1000, 'f', 1, 64) + " kWh" }

func years(y float64) string {
	if math.IsInf(y, 1) {
		return "never"
	}
	return strconv.FormatFloat(y, 'f', 1, 64) + " years"
}

func newTable(w io.Writer) table.Writer {
	t := table.NewWriter()
	t.SetOutputMirror(w)
	t.SetStyle(table.StyleLight)
	return t
}

func writeTable(w io.Writer, rep *report.Report) error {
	fmt.Fprintf(w, "Battery what-if for site %q (%s), money in %s\n", rep.Site, rep.TimeZone, rep.Currency)
	writeDataLines(w, rep)
	if len(rep.Results) == 1 {
		writeSingle(w, rep, rep.Results[0])
	} else {
		writeSweep(w, rep)
	}
	writeFinanceNote(w, rep)
	return nil
}

func writeSingle(w io.Writer, rep *report.Report, r report.Result) {
	fmt.Fprintf(w, "Battery: %s (%s)\n", r.Label, r.Convention)
	fmt.Fprintf(w, "Power limit: %s\n\n", describePower(r.Config))
	t := newTable(w)
	t.AppendHeader(table.Row{"Billing period", "Tariff", "Days", "Without battery", "With battery", "Savings"})
	for _, p := range r.Periods {
		t.AppendRow(table.Row{p.Start.Format(time.DateOnly) + " to " + lastDay(p.End), p.Tariff, describeDays(p),
			cents(p.BaselineBill()).String(), cents(p.Bill()).String(), cents(p.Savings()).String()})
	}
	t.AppendFooter(table.Row{"Total", "", rep.DaysPriced, cents(r.BaselineCost).String(), cents(r.Cost).String(), cents(r.Savings).String()})
	t.SetColumnConfigs([]table.ColumnConfig{
		{Number: 3, Align: text.AlignRight, AlignFooter: text.AlignRight},
		{Number: 4, Align: text.AlignRight, AlignFooter: text.AlignRight},
		{Number: 5, Align: text.AlignRight, AlignFooter: text.AlignRight},
		{Number: 6, Align: text.AlignRight, AlignFooter: text.AlignRight},
	})
	t.Render()
	tot := r.Totals
	fmt.Fprintln(w)
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-19s%s\n", label+":", fmt.Sprintf(format, args...))
	}
	line("Average savings", "%s per day, %s per year (%d days priced)", cents(r.SavingsPerDay), cents(r.SavingsPerYear), rep.DaysPriced)
	line("Grid import", "%s without the battery, %s with it", kWh(tot.BaselineImportWh), kWh(tot.ImportWh))
	line("Grid export", "%s without the battery, %s with it", kWh(tot.BaselineExportWh), kWh(tot.ExportWh))
	line("Energy shifted", "%s of surplus stored, %s delivered to the household, %s lost",
		kWh(tot.ChargedWh), kWh(tot.DischargedWh), kWh(tot.LossesWh()))
	line("Cycles", "%.1f equivalent full cycles", tot.EquivalentFullCycles)
	if r.Price == nil {
		line("Payback", "give --price for the simple payback and --discount-rate for the net present value")
		return
	}
	line("Simple payback", "%s at a price of %s%s", years(r.PaybackYears), cents(*r.Price), beyondLifetime(rep, r))
	if r.NPV != nil {
		line("Net present value", "%s over %d years at a %s discount rate", cents(*r.NPV), rep.LifetimeYears, percent(*rep.DiscountRate))
	}
}

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }

func writeSweep(w io.Writer, rep *report.Report) {
	first := rep.Results[0]
	fmt.Fprintf(w, "Batteries: %d configurations simulated in one pass over the data.\n", len(rep.Results))
	fmt.Fprintf(w, "Convention: %s (likewise for each size).\n", first.Convention)
	fmt.Fprintf(w, "Power limit: %s.\n", describePower(first.Config))
	fmt.Fprintf(w, "Savings are over %d priced days", rep.DaysPriced)
	if len(first.Periods) > 0 {
		fmt.Fprintf(w, " in %d billing period(s) (per period: --format json or csv)", len(first.Periods))
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintln(w)
	t := newTable(w)
	header := table.Row{"Battery", "Import kWh", "Export kWh", "Shifted kWh", "Cycles", "Savings", "Per year"}
	if rep.Price != nil {
		header = append(header, "Price", "Payback")
		if rep.DiscountRate != nil {
			header = append(header, "NPV")
		}
	}
	header = append(header, "")
	t.AppendHeader(header)
	for i, r := range rep.Results {
		tot := r.Totals
		row := table.Row{r.Label,
			strconv.FormatFloat(tot.ImportWh/1000, 'f', 1, 64),
			strconv.FormatFloat(tot.ExportWh/1000, 'f', 1, 64),
			strconv.FormatFloat(tot.DischargedWh/1000, 'f', 1, 64),
			strconv.FormatFloat(tot.EquivalentFullCycles, 'f', 1, 64),
			cents(r.Savings).String(), cents(r.SavingsPerYear).String()}
		if rep.Price != nil {
			row = append(row, cents(*r.Price).String(), years(r.PaybackYears)+beyondLifetime(rep, r))
			if r.NPV != nil {
				row = append(row, cents(*r.NPV).String())
			}
		}
		mark := ""
		if i == rep.Best {
			mark = "← best " + rep.BestBy
		}
		t.AppendRow(append(row, mark))
	}
	cfgs := make([]table.ColumnConfig, 0, 10)
	for n := 2; n < len(header); n++ {
		cfgs = append(cfgs, table.ColumnConfig{Number: n, Align: text.AlignRight})
	}
	t.SetColumnConfigs(cfgs)
	t.Render()
	base := first.Totals
	fmt.Fprintf(w, "\nWithout a battery: import %s, export %s.\n", kWh(base.BaselineImportWh), kWh(base.BaselineExportWh))
	if rep.Price == nil {
		fmt.Fprintln(w, "Give --price (e.g. 5000, 650/kWh or 2000+500/kWh) for payback; the best is marked by savings meanwhile.")
	}
	if rep.Best < 0 {
		fmt.Fprintln(w, "No configuration saves money.")
	}
}
