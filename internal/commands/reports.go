package commands

import (
	"context"
	"io"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/render"
	"github.com/solarview/solarview/internal/report"
)

// reportOutput is how a computed report is shown: --format, and --chart,
// which draws one site's report.
type reportOutput struct {
	Format render.Format
	Chart  string
}

// batteryRequest is what the flags battery and compare share ask for: the
// report to compute (package report) and how to show it (package render).
type batteryRequest struct {
	report.Options
	reportOutput
}

// showBattery computes one site's report and shows it: the chart first, if
// asked, then the report on w (what `battery` and `demo` print).
func showBattery(ctx context.Context, db *bun.DB, w io.Writer, req batteryRequest) error {
	if req.Chart != "" {
		if err := render.CheckChart(req.Chart); err != nil {
			return err
		}
		// A single battery's chart is its typical day, which the
		// computation collects only when asked.
		req.Profile = true
	}
	rep, err := report.Compute(ctx, db, req.Options)
	if err != nil {
		return err
	}
	if req.Chart != "" {
		if err := render.DrawChart(rep, req.Chart); err != nil {
			return err
		}
	}
	return render.Write(w, rep, req.Format)
}

// showComparison computes `compare`'s ranking of plans and shows it, the
// chart first if asked.
func showComparison(ctx context.Context, db *bun.DB, w io.Writer, opts report.CompareOptions, out reportOutput) error {
	if out.Chart != "" {
		if err := render.CheckChart(out.Chart); err != nil {
			return err
		}
	}
	c, err := report.ComputeComparison(ctx, db, opts)
	if err != nil {
		return err
	}
	if out.Chart != "" {
		if err := render.DrawComparisonChart(c, out.Chart); err != nil {
			return err
		}
	}
	return render.WriteComparison(w, c, out.Format)
}

// showFleet computes a many-site report and writes its rows, each skipped
// site with its reason; the error is report.ErrNothingReported (wrapped),
// after the rows, when no site could be reported.
func showFleet(ctx context.Context, db *bun.DB, w io.Writer, fo report.FleetOptions, f render.Format) error {
	fl, err := report.ComputeFleet(ctx, db, fo)
	if err != nil {
		return err
	}
	if err := render.WriteFleet(w, fl, f); err != nil {
		return err
	}
	return fl.Err()
}
