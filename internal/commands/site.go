package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/internal/sites"
	"github.com/solarview/solarview/models"
)

// defaultTimeZone is where the seeds' data and the NEM live; most users of
// solarview are Australian households.
const defaultTimeZone = "Australia/Sydney"

func siteCommand() *cli.Command {
	return &cli.Command{
		Name:  "site",
		Usage: "add or list sites (households / meters)",
		Subcommands: []*cli.Command{
			{
				Name:      "add",
				Usage:     "add a site",
				ArgsUsage: "NAME",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "nmi", Usage: "National Metering Identifier of the site's meter"},
					&cli.StringFlag{Name: "tz", Value: defaultTimeZone, Usage: "IANA time zone of the site; daily figures use its local date"},
				},
				Action: leaf(siteAddOptsFrom, siteAdd),
			},
			{
				Name:   "list",
				Usage:  "list sites",
				Action: leaf(siteListOptsFrom, siteList),
			},
		},
	}
}

type siteAddOpts struct {
	Name string
	// NMI is --nmi, nil when not given.
	NMI      *string
	TimeZone string

	// Set by Validate.
	nmi *string // NMI as names.NMI writes it
}

func siteAddOptsFrom(c *cli.Context) *siteAddOpts {
	return &siteAddOpts{Name: c.Args().First(), NMI: optional(c, "nmi"), TimeZone: c.String("tz")}
}

// Validate reads the time zone from the system's zone database: a name
// that is no zone is a mistake in the command line, like a bad NMI.
func (o *siteAddOpts) Validate() error {
	if err := names.Check("site", o.Name); err != nil {
		return err
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil || o.TimeZone == "" || o.TimeZone == "Local" {
		return fmt.Errorf("unknown time zone %q: use an IANA name such as Australia/Adelaide", o.TimeZone)
	}
	o.nmi = nil
	if o.NMI != nil {
		nmi, err := names.NMI(*o.NMI)
		if err != nil {
			return err
		}
		o.nmi = &nmi
	}
	return nil
}

func siteAdd(ctx context.Context, env *Env, opts *siteAddOpts) error {
	site := &models.Site{Name: strings.TrimSpace(opts.Name), TimeZone: opts.TimeZone, NMI: opts.nmi}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	if err := sites.Add(ctx, db, site); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Added site %q (id %d, time zone %s).\n", site.Name, site.ID, site.TimeZone)
	return nil
}

type siteListOpts struct{}

func siteListOptsFrom(*cli.Context) *siteListOpts { return &siteListOpts{} }

func (*siteListOpts) Validate() error { return nil }

func siteList(ctx context.Context, env *Env, _ *siteListOpts) error {
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	all, err := sites.WithOverview(ctx, db)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintln(env.Stdout, "No sites yet: add one with `solarview site add NAME`.")
		return nil
	}
	t := table.NewWriter()
	t.SetOutputMirror(env.Stdout)
	t.SetStyle(table.StyleLight)
	t.AppendHeader(table.Row{"ID", "Name", "NMI", "Time zone", "Data from", "Data to", "Sensors"})
	for _, s := range all {
		nmi := ""
		if s.NMI != nil {
			nmi = *s.NMI
		}
		from, to, sensors := "no data", "", ""
		if o := s.Overview; o != nil {
			loc, err := s.Location()
			if err != nil {
				loc = time.UTC
			}
			if o.FirstDataAt != nil && o.LastDataAt != nil {
				from = o.FirstDataAt.In(loc).Format("2006-01-02 15:04")
				to = o.LastDataAt.In(loc).Format("2006-01-02 15:04")
			}
			sensors = strings.Join(o.SensorCodes, " ")
		}
		t.AppendRow(table.Row{s.ID, s.Name, nmi, s.TimeZone, from, to, sensors})
	}
	t.Render()
	return nil
}
