package commands

import (
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
				Action: billingAdd,
			},
			{
				Name:  "list",
				Usage: "list billing periods",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "site", Usage: "only this site's periods"},
				},
				Action: billingList,
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

func parseDateFlag(c *cli.Context, name string) (time.Time, error) {
	v := strings.TrimSpace(c.String(name))
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q is not a date: use YYYY-MM-DD", name, v)
	}
	if d.Before(minDate) || d.After(maxDate) {
		return time.Time{}, fmt.Errorf("--%s %s is out of range: dates run from %s to %s", name, v,
			minDate.Format(time.DateOnly), maxDate.Format(time.DateOnly))
	}
	return d, nil
}

func billingAdd(c *cli.Context) error {
	if c.NArg() != 0 {
		return fmt.Errorf("billing add takes no arguments, got %q", strings.Join(c.Args().Slice(), " "))
	}
	from, err := parseDateFlag(c, "from")
	if err != nil {
		return err
	}
	to, err := parseDateFlag(c, "to")
	if err != nil {
		return err
	}
	ranges, err := tariff.SplitPeriods(from, to, c.String("every"))
	if err != nil {
		return err
	}
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	site, err := sites.Find(c.Context, db, c.String("site"))
	if err != nil {
		return err
	}
	t, err := tariff.LoadTariff(c.Context, db, tariff.Components, c.String("tariff"))
	if err != nil {
		return err
	}
	if err := tariff.AddBillingPeriods(c.Context, db, site.ID, site.Name, t.ID, ranges); err != nil {
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

func billingList(c *cli.Context) error {
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	var siteID int64
	if name := c.String("site"); name != "" {
		site, err := sites.Find(c.Context, db, name)
		if err != nil {
			return err
		}
		siteID = site.ID
	}
	rows, err := tariff.ListBillingPeriods(c.Context, db, siteID)
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
