package commands

import (
	"context"

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

// progressFor is the progress bar of a report shown in format f: on
// stderr, only where a person watches (a terminal) and a table is shown.
// Nil otherwise, and a nil bar draws nothing.
func progressFor(env *Env, f render.Format) *render.Progress {
	if f != render.FormatTable {
		return nil
	}
	return render.NewProgress(terminalOrNil(env.Stderr))
}

// showBattery computes one site's report and shows it: the chart first, if
// asked, then the report on stdout (what `battery` and `demo` print).
func showBattery(ctx context.Context, env *Env, db *bun.DB, req batteryRequest) error {
	if req.Chart != "" {
		if err := render.CheckChart(req.Chart); err != nil {
			return err
		}
		// A single battery's chart is its typical day, which the
		// computation collects only when asked.
		req.Profile = true
	}
	bar := progressFor(env, req.Format)
	req.Progress = bar.Func()
	rep, err := report.Compute(ctx, db, req.Options)
	bar.Finish()
	if err != nil {
		return err
	}
	if req.Chart != "" {
		if err := render.DrawChart(rep, req.Chart); err != nil {
			return err
		}
	}
	return render.Write(env.Stdout, rep, req.Format)
}

// showComparison computes `compare`'s ranking of plans and shows it, the
// chart first if asked.
func showComparison(ctx context.Context, env *Env, db *bun.DB, opts report.CompareOptions, out reportOutput) error {
	if out.Chart != "" {
		if err := render.CheckChart(out.Chart); err != nil {
			return err
		}
	}
	bar := progressFor(env, out.Format)
	opts.Progress = bar.Func()
	c, err := report.ComputeComparison(ctx, db, opts)
	bar.Finish()
	if err != nil {
		return err
	}
	if out.Chart != "" {
		if err := render.DrawComparisonChart(c, out.Chart); err != nil {
			return err
		}
	}
	return render.WriteComparison(env.Stdout, c, out.Format)
}

// showFleet computes a many-site report and writes its rows, each skipped
// site with its reason; the error is report.ErrNothingReported (wrapped),
// after the rows, when no site could be reported. The progress bar counts
// sites: one per site would interleave between the workers.
func showFleet(ctx context.Context, env *Env, db *bun.DB, fo report.FleetOptions, f render.Format) error {
	bar := progressFor(env, f)
	fo.Progress = bar.Func()
	fl, err := report.ComputeFleet(ctx, db, fo)
	bar.Finish()
	if err != nil {
		return err
	}
	if err := render.WriteFleet(env.Stdout, fl, f); err != nil {
		return err
	}
	return fl.Err()
}
