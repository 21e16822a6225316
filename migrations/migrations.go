// Package migrations holds solarview's schema history as SQL files, run by
// bun/migrate. Table migrations are written by hand; view migrations are
// written by `solarview makemigrations` and may be edited by hand, because the
// view-migration engine reads the latest view definitions back from these
// files rather than from any side table.
//
// File names follow bun/migrate: <14-digit timestamp>_<name>.tx.up.sql and
// .tx.down.sql. The ".tx" makes bun run each file in one transaction.
package migrations

import (
	"embed"

	"github.com/uptrace/bun/migrate"
)

// FS holds every migration file of the project.
//
//go:embed *.sql
var FS embed.FS

// New returns the project's migrations, discovered from [FS].
func New() (*migrate.Migrations, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(FS); err != nil {
		return nil, err
	}
	return ms, nil
}
