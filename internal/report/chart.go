package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/solarview/solarview/models"
)

// DrawChart draws rep to file, as SVG or PNG by the file's extension: the
// savings per year against battery capacity for a sweep, or the average
// state of charge through a typical day for a single battery (which needs
// the profile Compute collects when Options.Chart is set).
func DrawChart(rep *Report, file string) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
	if format != "svg" && format != "png" {
		return fmt.Errorf("chart %q: give a file name ending in .svg or .png", file)
	}
	var p *plot.Plot
	var err error
	if len(rep.Results) > 1 {
		p, err = sweepChart(rep)
	} else {
		p, err = dayChart(rep)
	}
	if err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	wt, err := p.WriterTo(16*vg.Centimeter, 10*vg.Centimeter, format)
	if err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	// Render next to the target and rename, so a failure never leaves half
	// a chart behind under the requested name.
	tmp, err := os.CreateTemp(filepath.Dir(file), ".chart-*."+format)
	if err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := wt.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("chart %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	return nil
}

func sweepChart(rep *Report) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Savings per year by battery size: %s", rep.Site)
	p.X.Label.Text = "Capacity (kWh)"
	p.Y.Label.Text = "Savings per year"
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(rep.Results))
	for i, r := range rep.Results {
		pts[i].X = r.Config.CapacityWh / 1000
		pts[i].Y = float64(r.SavingsPerYear.RoundCents()) / float64(models.Unit)
	}
	line, dots, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	p.Add(line, dots)
	if rep.Best >= 0 {
		best, err := plotter.NewScatter(plotter.XYs{pts[rep.Best]})
		if err != nil {
			return nil, err
		}
		best.GlyphStyle.Shape = draw.RingGlyph{}
		best.GlyphStyle.Radius = vg.Points(6)
		p.Add(best)
		p.Legend.Add("best "+rep.BestBy, best)
		// Savings flatten out with size: the lower right is free.
		p.Legend.Top = false
	}
	return p, nil
}

func dayChart(rep *Report) (*plot.Plot, error) {
	if len(rep.Profile) == 0 {
		return nil, fmt.Errorf("no state-of-charge profile was collected")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Typical day: %s battery at %s", rep.Results[0].Label, rep.Site)
	p.X.Label.Text = "Local time"
	p.Y.Label.Text = "Average state of charge (%)"
	p.X.Min, p.X.Max = 0, 24
	var ticks []plot.Tick
	for h := 0; h <= 24; h += 3 {
		ticks = append(ticks, plot.Tick{Value: float64(h), Label: fmt.Sprintf("%02d:00", h)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = 0, 100
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(rep.Profile))
	for i, pt := range rep.Profile {
		pts[i].X, pts[i].Y = pt.Hour, pt.SoC*100
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	p.Add(line)
	return p, nil
}
