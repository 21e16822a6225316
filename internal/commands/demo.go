package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/battery"
	"github.com/solarview/solarview/internal/demo"
	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/internal/render"
	"github.com/solarview/solarview/internal/report"
)

// DemoDatabase is the embedded database `solarview demo` fills, kept apart
// from the user's own data.
const DemoDatabase = "solarview_demo"

// demoBattery is the battery the demo prices: a Powerwall-sized unit (the
// seed's example) with a realistic 5 kW inverter limit, at an installed
// price typical in Australia.
var demoBattery = battery.Config{
	Model:           battery.ModelFull,
	CapacityWh:      13500,
	Efficiency:      0.9,
	ChargePowerW:    5000,
	DischargePowerW: 5000,
}

const demoPrice = "12000"

func demoCommand() *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "fill the embedded solarview_demo database with a generated sample year and print a battery report",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "reset", Usage: "empty the demo database first"},
		},
		Action: leaf(demoOptsFrom, runDemo),
	}
}

type demoOpts struct {
	// Reset empties the demo database first.
	Reset bool
}

func demoOptsFrom(c *cli.Context) *demoOpts { return &demoOpts{Reset: c.Bool("reset")} }

func (*demoOpts) Validate() error { return nil }

func runDemo(ctx context.Context, env *Env, opts *demoOpts) error {
	if opts.Reset && env.DatabaseURL != "" {
		return errors.New("demo --reset only empties the embedded demo database; it refuses to wipe --database-url")
	}
	db, name, err := openDemoDatabase(ctx, env)
	if err != nil {
		return err
	}
	// Before anything is written or emptied: the database must be demo's.
	if err := claimDemoDatabase(ctx, db, name, env.DatabaseURL == "" && name == DemoDatabase); err != nil {
		return err
	}
	if opts.Reset {
		if _, err := db.ExecContext(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
			return fmt.Errorf("resetting the demo database: %w", err)
		}
		fmt.Fprintln(env.Stdout, "Emptied the demo database.")
		if err := claimDemoDatabase(ctx, db, name, true); err != nil {
			return err
		}
	}
	applied, err := migrator.Up(ctx, db, env.Stdout)
	if err != nil {
		return fmt.Errorf("migrating the demo database: %w", err)
	}
	if len(applied) > 0 {
		fmt.Fprintf(env.Stdout, "Migrated the demo database %q (%d migrations).\n", name, len(applied))
	}
	loaded, err := demo.Load(ctx, db, demo.Adelaide, env.Stdout)
	if err != nil {
		return err
	}
	if !loaded {
		fmt.Fprintf(env.Stdout, "The demo data is already loaded in %q (demo --reset starts again).\n", name)
	}

	price, err := parsePrice(demoPrice)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout)
	err = showBattery(ctx, env, db, batteryRequest{
		Options: report.Options{
			Site:      demo.Adelaide.Name,
			Batteries: []battery.Config{demoBattery},
			Price:     &price,
		},
		reportOutput: reportOutput{Format: render.FormatTable},
	})
	if err != nil {
		return err
	}
	printNextSteps(env, name)
	return nil
}
