package commands

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
	"github.com/uptrace/bun"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/sensors"
)

func sensorsCommand() *cli.Command {
	return &cli.Command{
		Name:  "sensors",
		Usage: "latest reading and recent statistics per sensor",
		Description: fmt.Sprintf("Lists every temperature sensor once: its latest reading and when it was taken\n"+
			"(in its site's time zone, UTC for a sensor without a site), whether it reported in\n"+
			"the last day, its last five readings (newest first), and the minimum, average\n"+
			"and maximum over the %d days up to the newest reading of any sensor. One query.", sensors.StatsDays),
		Action: leaf(sensorsOptsFrom, sensorsReport),
	}
}

type sensorsOpts struct{}

func sensorsOptsFrom(*cli.Context) *sensorsOpts { return &sensorsOpts{} }

func (*sensorsOpts) Validate() error { return nil }

func sensorsReport(ctx context.Context, env *Env, _ *sensorsOpts) error {
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	return printSensors(ctx, db, env.Stdout)
}

// printSensors writes the sensor report as a table: one statement, however
// many sensors.
func printSensors(ctx context.Context, db bun.IDB, w io.Writer) error {
	rows, err := sensors.Report(ctx, db)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "No sensors yet.")
		return nil
	}

	t := table.NewWriter()
	t.SetOutputMirror(w)
	t.SetStyle(table.StyleLight)
	t.AppendHeader(table.Row{"Sensor", "Location", "Site", "Latest °C", "Taken at", "Last day",
		"Last five °C", "Min °C", "Avg °C", "Max °C", "Readings"})
	right := []string{"Latest °C", "Min °C", "Avg °C", "Max °C", "Readings"}
	var configs []table.ColumnConfig
	for _, name := range right {
		configs = append(configs, table.ColumnConfig{Name: name, Align: text.AlignRight})
	}
	t.SetColumnConfigs(configs)

	var from *time.Time
	for _, r := range rows {
		site, zone := "", time.UTC
		if r.Site != nil {
			site = r.Site.Name
			if loc, err := time.LoadLocation(r.Site.TimeZone); err == nil {
				zone = loc
			}
		}
		takenAt, lastDay := "never", "no"
		if r.TakenAt != nil {
			takenAt = r.TakenAt.In(zone).Format("2006-01-02 15:04 MST")
		}
		if r.ReportedLastDay {
			lastDay = "yes"
		}
		lastFive := make([]string, len(r.LastFive))
		for i, temp := range r.LastFive {
			lastFive[i] = temperature(&temp)
		}
		t.AppendRow(table.Row{r.Code, r.Location, site, temperature(r.Temperature), takenAt, lastDay,
			strings.Join(lastFive, " "), temperature(r.Min), temperature(r.Avg), temperature(r.Max), r.Count})
		if r.StatsFrom != nil {
			from = r.StatsFrom
		}
	}
	if from != nil {
		t.SetCaption("Min, avg, max and readings: since %s (%d days before the newest reading).",
			from.UTC().Format("2006-01-02 15:04 MST"), sensors.StatsDays)
	}
	t.Render()
	return nil
}

// temperature formats a numeric(6,3) for reading: trailing zeros dropped but
// one decimal kept ("21.5", "22.125", "20.0"); "–" when there is none.
func temperature(s *string) string {
	if s == nil {
		return "–"
	}
	v := *s
	if whole, frac, ok := strings.Cut(v, "."); ok {
		frac = strings.TrimRight(frac, "0")
		if frac == "" {
			frac = "0"
		}
		v = whole + "." + frac
	}
	return v
}
