package commands

import (
	"errors"
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
				Action: siteAdd,
			},
			{
				Name:   "list",
				Usage:  "list sites",
				Action: siteList,
			},
		},
	}
}

func siteAdd(c *cli.Context) error {
	if c.NArg() != 1 {
		return errors.New("site add needs exactly one NAME")
	}
	site := &models.Site{Name: strings.TrimSpace(c.Args().First()), TimeZone: c.String("tz")}
	if site.Name == "" {
		return errors.New("site name must not be empty")
	}
	if _, err := time.LoadLocation(site.TimeZone); err != nil || site.TimeZone == "" || site.TimeZone == "Local" {
		return fmt.Errorf("unknown time zone %q: use an IANA name such as Australia/Adelaide", site.TimeZone)
	}
	if c.IsSet("nmi") {
		nmi, err := names.NMI(c.String("nmi"))
		if err != nil {
			return err
		}
		site.NMI = &nmi
	}
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	if err := sites.Add(c.Context, db, site); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Added site %q (id %d, time zone %s).\n", site.Name, site.ID, site.TimeZone)
	return nil
}

func siteList(c *cli.Context) error {
	env := envOf(c)
	db, err := env.DB(c.Context)
	if err != nil {
		return err
	}
	all, err := sites.WithOverview(c.Context, db)
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
