package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/sites"
	"github.com/solarview/solarview/internal/tariff"
)

func billingCommand() *cli.Command {
	return &cli.Command{
		Name:  "billing",
		Usage: "put a site on a tariff for billing periods, or list them",
		Subcommands: []*cli.Command{
			{
				Name:  "add",
				Usage: "add billing periods for a site",
				Description: "--from and --to are the first and the last day billed, both included, in the\n" +
					"site's local time. --every splits them into consecutive monthly or quarterly\n" +
					"periods counted from --from. Periods may not overlap the site's others: the\n" +
					"database refuses them, and nothing is added.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "site", Required: true, Usage: "site `NAME`"},
					&cli.StringFlag{Name: "tariff", Required: true, Usage: "tariff `NAME`"},
					&cli.StringFlag{Name: "from", Required: true, Usage: "first day billed, YYYY-MM-DD"},
					&cli.StringFlag{Name: "to", Required: true, Usage: "last day billed (included), YYYY-MM-DD"},
					&cli.StringFlag{Name: "every", Usage: "split into periods of a `month` or a `quarter`"},
				},
				Action: leaf(billingAddOptsFrom, billingAdd),
			},
			{
				Name:  "list",
				Usage: "list billing periods",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "site", Usage: "only this site's periods"},
				},
				Action: leaf(billingListOptsFrom, billingList),
			},
		},
	}
}

// minDate and maxDate bound every date given on the command line. Go reads
// and writes four-digit years only, so a last day of 9999-12-31 became an
// exclusive end of 10000-01-01 that PostgreSQL stored and Go could not read
// back; time zones before 1900 are local mean times nobody bills in. Both
// ends are far from any solar meter's data and safe for every conversion.
var (
	minDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// parseDate reads flag's value as a date between minDate and maxDate.
func parseDate(flag, value string) (time.Time, error) {
	v := strings.TrimSpace(value)
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q is not a date: use YYYY-MM-DD", flag, v)
	}
	if d.Before(minDate) || d.After(maxDate) {
		return time.Time{}, fmt.Errorf("--%s %s is out of range: dates run from %s to %s", flag, v,
			minDate.Format(time.DateOnly), maxDate.Format(time.DateOnly))
	}
	return d, nil
}

type billingAddOpts struct {
	Site, Tariff string
	// From and To are the first and the last day billed, YYYY-MM-DD.
	From, To string
	// Every is "", month or quarter.
	Every string

	// Set by Validate.
	ranges []tariff.DateRange
}

func billingAddOptsFrom(c *cli.Context) *billingAddOpts {
	return &billingAddOpts{Site: c.String("site"), Tariff: c.String("tariff"),
		From: c.String("from"), To: c.String("to"), Every: c.String("every")}
}

func (o *billingAddOpts) Validate() error {
	from, err := parseDate("from", o.From)
	if err != nil {
		return err
	}
	to, err := parseDate("to", o.To)
	if err != nil {
		return err
	}
	o.ranges, err = tariff.SplitPeriods(from, to, o.Every)
	return err
}

func billingAdd(ctx context.Context, env *Env, opts *billingAddOpts) error {
	ranges := opts.ranges
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	site, err := sites.Find(ctx, db, opts.Site)
	if err != nil {
		return err
	}
	t, err := tariff.LoadTariff(ctx, db, tariff.Components, opts.Tariff)
	if err != nil {
		return err
	}
	if err := tariff.AddBillingPeriods(ctx, db, site.ID, site.Name, t.ID, ranges); err != nil {
		return err
	}
	noun := "billing periods"
	if len(ranges) == 1 {
		noun = "billing period"
	}
	fmt.Fprintf(env.Stdout, "Added %d %s for site %q on tariff %q:\n", len(ranges), noun, site.Name, t.Name)
	for _, r := range ranges {
		fmt.Fprintf(env.Stdout, "  %s (%d days)\n", r, tariff.Period{Start: r.Start, End: r.End}.Days())
	}
	return nil
}

type billingListOpts struct {
	// Site is --site: only its periods; "" lists every site's.
	Site string
}

func billingListOptsFrom(c *cli.Context) *billingListOpts {
	return &billingListOpts{Site: c.String("site")}
}

func (*billingListOpts) Validate() error { return nil }

func billingList(ctx context.Context, env *Env, opts *billingListOpts) error {
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	var siteID int64
	if name := opts.Site; name != "" {
		site, err := sites.Find(ctx, db, name)
		if err != nil {
			return err
		}
		siteID = site.ID
	}
	rows, err := tariff.ListBillingPeriods(ctx, db, siteID)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.Stdout, "No billing periods yet: add them with `solarview billing add --site S --tariff T --from DATE --to DATE`.")
		return nil
	}
	t := table.NewWriter()
	t.SetOutputMirror(env.Stdout)
	t.SetStyle(table.StyleLight)
	t.AppendHeader(table.Row{"Site", "From", "To (included)", "Days", "Tariff"})
	for _, r := range rows {
		last := r.End.AddDate(0, 0, -1)
		t.AppendRow(table.Row{r.Site, r.Start.Format(time.DateOnly), last.Format(time.DateOnly),
			tariff.Period{Start: r.Start, End: r.End}.Days(), r.Tariff})
	}
	t.Render()
	return nil
}
