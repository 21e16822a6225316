package commands

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/demo"
)

// demoMarker is the table by which `solarview demo` recognises a database it
// filled itself. demo writes a site, a tariff, sensors and a year of
// intervals; it must never mix them into a database holding someone's data.
const demoMarker = "solarview_demo"

// openDemoDatabase opens the database demo fills: --database-url's, or the
// embedded database --db names, by default DemoDatabase, created if missing
// (a new database is empty, hence demo's to fill).
func openDemoDatabase(ctx context.Context, env *Env) (*bun.DB, string, error) {
	if env.DatabaseURL != "" {
		db, err := env.openDatabase(ctx, "", false)
		if err != nil {
			return nil, "", err
		}
		name, err := currentDatabase(ctx, db)
		return db, name, err
	}
	name := DemoDatabase
	if env.DBName != "" {
		name = env.DBName
	}
	dsn, err := env.embeddedDSN(ctx, name, true)
	if err != nil {
		return nil, "", err
	}
	db, err := env.openDSN(ctx, dsn)
	return db, name, err
}

// claimDemoDatabase makes sure demo may write into db: it is marked as
// filled by an earlier demo, or it is empty (no table, view or sequence),
// or it is demo's by name (ownedByName: the embedded solarview_demo, which
// demo versions before the mark filled too); it is marked now if it was not,
// before anything else is written. Any other database is refused with
// nothing written.
func claimDemoDatabase(ctx context.Context, db *bun.DB, name string, ownedByName bool) error {
	var marked bool
	if err := db.QueryRowContext(ctx, "SELECT to_regclass(?) IS NOT NULL", "public."+demoMarker).Scan(&marked); err != nil {
		return fmt.Errorf("looking for an earlier demo in %q: %w", name, err)
	}
	if marked {
		return nil
	}
	n, err := userRelations(ctx, db)
	if err != nil {
		return err
	}
	if n > 0 && !ownedByName {
		return fmt.Errorf("database %q holds %d tables, views or sequences that solarview demo did not create; "+
			"demo writes only into an empty database or one an earlier demo filled "+
			"(leave out --database-url and --db to use the embedded %s)", name, n, DemoDatabase)
	}
	_, err = db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS ? (created_at timestamptz NOT NULL DEFAULT now()); "+
		"COMMENT ON TABLE ? IS 'Marks a database filled by solarview demo: demo may fill it again.'",
		bun.Ident(demoMarker), bun.Ident(demoMarker))
	if err != nil {
		return fmt.Errorf("marking %q as the demo's database: %w", name, err)
	}
	return nil
}

// printNextSteps ends the demo with commands that work as printed: with the
// program's own name (`go run ./cmd/solarview` when the demo itself ran
// that way) and the database the demo filled.
func printNextSteps(env *Env, dbName string) {
	prog := programName(env.argv0)
	target := " --db " + dbName
	if env.DatabaseURL != "" {
		target = ""
	}
	w := env.Stdout
	fmt.Fprintln(w, "\nNext, on the same data:")
	fmt.Fprintf(w, "  %s%s battery --sweep 5kWh,10kWh,13.5kWh,20kWh --price 1500+700/kWh --chart sweep.svg\n", prog, target)
	fmt.Fprintf(w, "  %s%s tariff show %q\n", prog, target, demo.TariffName)
	fmt.Fprintf(w, "  %s%s sensors\n", prog, target)
	if env.DatabaseURL != "" {
		fmt.Fprintln(w, "(with the same --database-url / DATABASE_URL)")
	}
}

// programName is how the user ran solarview, for commands to print: `go run
// ./cmd/solarview` when argv0 is a binary go run built (see builtByGo),
// "solarview" when run by name from PATH, else the path as typed
// (./solarview).
func programName(argv0 string) string {
	if argv0 == "" {
		return "solarview"
	}
	// go run builds into a temporary go-build directory or, since Go 1.24,
	// caches the executable under GOCACHE (…/go-build/…): either way a path
	// nobody would type.
	if builtByGo(argv0) {
		return "go run ./cmd/solarview"
	}
	return argv0
}
