package render

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/solarview/solarview/internal/report"
	"github.com/solarview/solarview/models"
)

// DrawChart draws rep to file, as SVG or PNG by the file's extension: the
// savings per year against battery capacity for a sweep, or the average
// state of charge through a typical day for a single battery (which needs
// the profile report.Compute collects when Options.Profile is set).
func DrawChart(rep *report.Report, file string) error {
	return writeChart(file, func() (*plot.Plot, error) {
		if len(rep.Results) > 1 {
			return sweepChart(rep)
		}
		return dayChart(rep)
	})
}

// CheckChart refuses a chart file name whose extension names no format
// a chart is drawn in. Commands call it before the report is computed, so
// a typo costs no run.
func CheckChart(file string) error {
	_, err := chartFormat(file)
	return err
}

func chartFormat(file string) (string, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(file)), ".")
	if format != "svg" && format != "png" {
		return "", fmt.Errorf("chart %q: give a file name ending in .svg or .png", file)
	}
	return format, nil
}

// writeChart builds a chart and writes it to file, as SVG or PNG by the
// file's extension.
func writeChart(file string, build func() (*plot.Plot, error)) error {
	format, err := chartFormat(file)
	if err != nil {
		return err
	}
	p, err := build()
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

func sweepChart(rep *report.Report) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Savings per year by battery size: %s", rep.Site)
	p.X.Label.Text = "Capacity (kWh)"
	p.Y.Label.Text = fmt.Sprintf("Savings per year (%s)", rep.Currency)
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(rep.Results))
	for i, r := range rep.Results {
		pts[i].X = r.Config.CapacityWh / 1000
		pts[i].Y = float64(r.SavingsPerYear.RoundCents()) / float64(models.Unit)
	}
	keepOffAxes(p, pts)
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

func dayChart(rep *report.Report) (*plot.Plot, error) {
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

// keepOffAxes sets the ranges of a chart of pts so that the y axis starts
// at 0 (lower only for a negative value) and no marker sits on an axis or
// on the frame: a margin of a tenth of the span on every side but the
// zero. (A saving of exactly 0 stays on the zero line, kept off the axis
// line by the axis's padding.)
func keepOffAxes(p *plot.Plot, pts plotter.XYs) {
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		xmin, xmax = math.Min(xmin, pt.X), math.Max(xmax, pt.X)
		ymin, ymax = math.Min(ymin, pt.Y), math.Max(ymax, pt.Y)
	}
	xspan := xmax - xmin
	if xspan == 0 {
		xspan = math.Max(math.Abs(xmax), 1)
	}
	p.X.Min, p.X.Max = math.Max(0, xmin-xspan/10), xmax+xspan/10
	if p.X.Min == xmin {
		// A capacity of 0 sits on the y axis: step left of it.
		p.X.Min = xmin - xspan/10
	}
	yspan := math.Max(ymax, 0) - math.Min(ymin, 0)
	if yspan == 0 {
		yspan = 1
	}
	p.Y.Min, p.Y.Max = 0, math.Max(ymax, 0)+yspan/10
	if ymin < 0 {
		p.Y.Min = ymin - yspan/10
	}
}
