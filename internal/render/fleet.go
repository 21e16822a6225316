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
)

// WriteFleet writes a many-site report to w in format f: one row per site,
// ranked, the skipped sites last with their reason.
func WriteFleet(w io.Writer, fl *report.Fleet, f Format) error {
	f, err := ParseFormat(string(f))
	if err != nil {
		return err
	}
	switch f {
	case FormatJSON:
		return writeFleetJSON(w, fl)
	case FormatCSV:
		return writeFleetCSV(w, fl)
	}
	return writeFleetTable(w, fl)
}

// jsonFleet is `battery --all-sites --format json`. Every site is one
// element of sites, in rank order: reported sites carry their figures and
// a null reason, skipped ones a null rank and their reason.
type jsonFleet struct {
	RankedBy      string   `json:"ranked_by"`
	Sites         []any    `json:"sites"`
	Reported      int      `json:"reported"`
	Skipped       int      `json:"skipped"`
	Batteries     int      `json:"batteries"`
	BestBy        string   `json:"best_by"`
	Price         *string  `json:"price"`
	DiscountRate  *float64 `json:"discount_rate"`
	LifetimeYears int      `json:"lifetime_years"`
}

type jsonFleetSite struct {
	Rank           int      `json:"rank"`
	Site           string   `json:"site"`
	TimeZone       string   `json:"timezone"`
	First          string   `json:"first"`
	Last           string   `json:"last"`
	Intervals      int      `json:"intervals"`
	DaysPriced     int      `json:"days_priced"`
	Label          string   `json:"label"`
	Model          string   `json:"model"`
	CapacityWh     float64  `json:"capacity_wh"`
	Efficiency     float64  `json:"efficiency"`
	Best           bool     `json:"best"`
	BaselineCost   cents    `json:"baseline_cost"`
	Cost           cents    `json:"cost"`
	Savings        cents    `json:"savings"`
	SavingsPerYear cents    `json:"savings_per_year"`
	Price          *cents   `json:"price"`
	PaybackYears   *float64 `json:"payback_years"`
	NPV            *cents   `json:"npv"`
	Reason         *string  `json:"reason"`
}

type jsonSkippedSite struct {
	Rank     *int   `json:"rank"`
	Site     string `json:"site"`
	TimeZone string `json:"timezone"`
	Reason   string `json:"reason"`
}

// paybackOf is a result's payback for output: nil without a price or when
// the battery never pays for itself.
func paybackOf(r report.Result) *float64 {
	if r.Price == nil || math.IsInf(r.PaybackYears, 0) || math.IsNaN(r.PaybackYears) {
		return nil
	}
	p := r.PaybackYears
	return &p
}

func writeFleetJSON(w io.Writer, fl *report.Fleet) error {
	doc := jsonFleet{
		RankedBy: "savings_per_year", Sites: make([]any, 0, len(fl.Rows)),
		Reported: fl.Reported, Skipped: fl.Skipped, Batteries: fl.Batteries, BestBy: fl.BestBy,
		DiscountRate: fl.DiscountRate, LifetimeYears: fl.LifetimeYears,
	}
	if fl.Price != nil {
		s := fl.Price.String()
		doc.Price = &s
	}
	for _, row := range fl.Rows {
		if row.Skipped() {
			doc.Sites = append(doc.Sites, jsonSkippedSite{Site: row.Site, TimeZone: row.TimeZone, Reason: row.Reason})
			continue
		}
		r := row.Result
		doc.Sites = append(doc.Sites, jsonFleetSite{
			Rank: row.Rank, Site: row.Site, TimeZone: row.TimeZone,
			First: row.First.Format(time.DateOnly), Last: row.Last.Format(time.DateOnly),
			Intervals: row.Intervals, DaysPriced: row.DaysPriced,
			Label: r.Label, Model: modelOf(r), CapacityWh: r.Config.CapacityWh, Efficiency: r.Config.Efficiency,
			Best:         row.Best,
			BaselineCost: cents(r.BaselineCost), Cost: cents(r.Cost), Savings: cents(r.Savings),
			SavingsPerYear: cents(r.SavingsPerYear),
			Price:          centsPtr(r.Price), PaybackYears: paybackOf(r), NPV: centsPtr(r.NPV),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// fleetCSVHeader is one row per site; a skipped site has only rank (empty),
// site, timezone and reason.
var fleetCSVHeader = []string{
	"rank", "site", "timezone", "first", "last", "intervals", "days_priced",
	"label", "model", "capacity_wh", "efficiency", "best",
	"baseline_cost", "cost", "savings", "savings_per_year", "price", "payback_years", "npv", "reason",
}

func writeFleetCSV(w io.Writer, fl *report.Fleet) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(fleetCSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, row := range fl.Rows {
		rec := make([]string, len(fleetCSVHeader))
		rec[1], rec[2] = row.Site, row.TimeZone
		if row.Skipped() {
			rec[len(rec)-1] = row.Reason
		} else {
			r := row.Result
			price, payback, npvS := "", "", ""
			if r.Price != nil {
				price, payback = cents(*r.Price).String(), "never"
				if p := paybackOf(r); p != nil {
					payback = strconv.FormatFloat(*p, 'f', 2, 64)
				}
			}
			if r.NPV != nil {
				npvS = cents(*r.NPV).String()
			}
			copy(rec, []string{
				strconv.Itoa(row.Rank), row.Site, row.TimeZone,
				row.First.Format(time.DateOnly), row.Last.Format(time.DateOnly),
				strconv.Itoa(row.Intervals), strconv.Itoa(row.DaysPriced),
				r.Label, modelOf(r), f(r.Config.CapacityWh), f(r.Config.Efficiency), strconv.FormatBool(row.Best),
				cents(r.BaselineCost).String(), cents(r.Cost).String(), cents(r.Savings).String(),
				cents(r.SavingsPerYear).String(), price, payback, npvS, "",
			})
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeFleetTable(w io.Writer, fl *report.Fleet) error {
	fmt.Fprintf(w, "Battery what-if for %d site(s): %d reported, %d skipped; ranked by savings per year.\n",
		len(fl.Rows), fl.Reported, fl.Skipped)
	var first *report.Result
	for i := range fl.Rows {
		if !fl.Rows[i].Skipped() {
			first = &fl.Rows[i].Result
			break
		}
	}
	if first != nil {
		if fl.Batteries > 1 {
			fmt.Fprintf(w, "Each site's best of %d sizes by %s (all simulated in one pass per site).\n", fl.Batteries, fl.BestBy)
			fmt.Fprintf(w, "Convention: %s (likewise for each size).\n", first.Convention)
		} else {
			fmt.Fprintf(w, "Battery: %s (%s).\n", first.Label, first.Convention)
		}
		fmt.Fprintln(w)
		t := newTable(w)
		header := table.Row{"Rank", "Site", "Data", "Capacity", "Savings per year"}
		if fl.Price != nil {
			header = append(header, "Price", "Payback")
			if fl.DiscountRate != nil {
				header = append(header, "NPV")
			}
		}
		t.AppendHeader(header)
		for _, row := range fl.Rows {
			if row.Skipped() {
				continue
			}
			r := row.Result
			cells := table.Row{row.Rank, row.Site,
				row.First.Format(time.DateOnly) + " to " + row.Last.Format(time.DateOnly),
				kWh(r.Config.CapacityWh), cents(r.SavingsPerYear).String()}
			if fl.Price != nil && r.Price != nil {
				cells = append(cells, cents(*r.Price).String(), years(r.PaybackYears))
				if r.NPV != nil {
					cells = append(cells, cents(*r.NPV).String())
				}
			}
			t.AppendRow(cells)
		}
		cfgs := []table.ColumnConfig{{Number: 1, Align: text.AlignRight}}
		for n := 4; n <= len(header); n++ {
			cfgs = append(cfgs, table.ColumnConfig{Number: n, Align: text.AlignRight})
		}
		t.SetColumnConfigs(cfgs)
		t.Render()
		if fl.Price == nil {
			fmt.Fprintln(w, "Give --price (e.g. 5000, 650/kWh or 2000+500/kWh) for payback, and --discount-rate for the net present value.")
		}
	}
	if fl.Skipped > 0 {
		fmt.Fprintf(w, "\nSkipped (%d):\n", fl.Skipped)
		for _, row := range fl.Rows {
			if row.Skipped() {
				fmt.Fprintf(w, "  %s: %s\n", row.Site, row.Reason)
			}
		}
	}
	return nil
}
