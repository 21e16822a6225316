package viewmig

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/solarview/solarview/views"
)

// MakeOptions configures [MakeMigration].
type MakeOptions struct {
	// Views are the views defined in code.
	Views []views.View
	// FS holds the existing migrations (its root's *.sql files).
	FS fs.FS
	// Dir names the migrations directory in messages; default "migrations".
	Dir string
	// Name is the migration's name after the version; default "views".
	Name string
	// Now gives the migration's version (its UTC time, formatted
	// 20060102150405); default time.Now. A version not after the latest
	// migration's becomes the latest plus one, so the new migration always
	// sorts last.
	Now func() time.Time
	// Scratch opens an empty database the engine may do anything with, and
	// returns a function that disposes of it. It is called only when there
	// are changes to plan.
	Scratch func(ctx context.Context) (*bun.DB, func(), error)
}

// Migration is a generated bun/migrate migration pair.
type Migration struct {
	// UpName and DownName are the file names
	// (<version>_<name>.tx.up.sql / .tx.down.sql).
	UpName, DownName string
	// Up and Down are the files' contents.
	Up, Down string
	// Reasons maps every view the migration touches to why.
	Reasons map[string]string
}

var migrationName = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)

// ConflictError is returned by [MakeMigration] when migrations of two
// branches change the same view: `makemigrations --merge` comes first.
type ConflictError struct{ Conflicts []Conflict }

func (e *ConflictError) Error() string {
	return e.Conflicts[0].Message()
}

// ErrNoChanges is returned by [MakeMigration] when the migrations already
// match the code.
var ErrNoChanges = errors.New("no changes detected")

// Pending reports whether code and migrations differ, without a database:
// what `makemigrations --check` needs.
func Pending(vs []views.View, fsys fs.FS, dir string) (bool, error) {
	drift, err := Check(vs, fsys, dir)
	return len(drift) > 0, err
}

// MakeMigration generates the migration that brings the views of the
// migrations in opts.FS to those of opts.Views, or returns [ErrNoChanges].
//
// Column types come from PostgreSQL: a scratch database is brought to the
// latest migration, the new definitions are planned there inside a
// transaction that is rolled back, and the generated up and down files are
// themselves run (and rolled back) before being returned. Nothing is
// written: the caller decides where the files go.
func MakeMigration(ctx context.Context, opts MakeOptions) (*Migration, error) {
	if opts.Dir == "" {
		opts.Dir = "migrations"
	}
	if opts.Name == "" {
		opts.Name = "views"
	}
	if !migrationName.MatchString(opts.Name) {
		return nil, fmt.Errorf("invalid migration name %q: use lower-case letters, digits and underscores", opts.Name)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	hist, err := ReadHistory(opts.FS, opts.Dir)
	if err != nil {
		return nil, err
	}
	if len(hist.Conflicts) > 0 {
		return nil, &ConflictError{Conflicts: hist.Conflicts}
	}
	code, err := FromViews(opts.Views)
	if err != nil {
		return nil, err
	}
	drift, err := Compare(code, hist)
	if err != nil {
		return nil, err
	}
	if len(drift) == 0 {
		return nil, ErrNoChanges
	}
	to := map[string]*Definition{}
	for _, d := range code {
		to[d.Name] = d
	}
	from := hist.Views

	if opts.Scratch == nil {
		return nil, errors.New("planning view changes needs a scratch database")
	}
	db, dispose, err := opts.Scratch(ctx)
	if err != nil {
		return nil, fmt.Errorf("opening a scratch database to plan the views: %w", err)
	}
	defer dispose()
	if err := migrateScratch(ctx, db, opts.FS); err != nil {
		return nil, err
	}
	fromCols, toCols, err := probeColumns(ctx, db.DB, from, to)
	if err != nil {
		return nil, err
	}

	upPlan, err := buildPlan(from, to, fromCols, toCols)
	if err != nil {
		return nil, err
	}
	downPlan, err := buildPlan(to, from, toCols, fromCols)
	if err != nil {
		return nil, err
	}
	version := nextVersion(opts.Now(), hist.Latest)
	m := &Migration{
		UpName:   version + "_" + opts.Name + ".tx.up.sql",
		DownName: version + "_" + opts.Name + ".tx.down.sql",
		Reasons:  upPlan.reasons,
	}
	upBody, err := upPlan.sql()
	if err != nil {
		return nil, err
	}
	downBody, err := downPlan.sql()
	if err != nil {
		return nil, err
	}
	m.Up = upHeader(upPlan, from, to, nil) + "\n" + upBody
	m.Down = downHeader(m.UpName, downPlan) + "\n" + downBody
	if err := verifyMigration(ctx, db.DB, m.Up, m.Down, fromCols, toCols); err != nil {
		return nil, fmt.Errorf("generated migration rejected by PostgreSQL (please report this): %w", err)
	}
	return m, nil
}

// migrateScratch applies every migration of fsys to db.
func migrateScratch(ctx context.Context, db *bun.DB, fsys fs.FS) error {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	// The scratch database is private to this run: no lock is needed.
	m := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("preparing the scratch database: %w", err)
	}
	if _, err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("bringing the scratch database to the latest migration: %w", err)
	}
	return nil
}

// nextVersion is now as a migration version, or latest+1 when now would
// not sort after latest.
func nextVersion(now time.Time, latest string) string {
	v := now.UTC().Format("20060102150405")
	if latest == "" || v > latest {
		return v
	}
	n, err := strconv.ParseUint(latest, 10, 64)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%0*d", len(latest), n+1)
}

// upHeader explains the up migration: which views change and why, then,
// per view, the solarview:view line recording the definitions it goes from
// and to (see [ViewHeaderPrefix]). extra lines (merge and checksum
// headers) come last.
func upHeader(p *plan, from, to map[string]*Definition, extra []string) string {
	var b strings.Builder
	b.WriteString("-- Generated by `solarview makemigrations`. `solarview check` reads the view\n")
	b.WriteString("-- definitions back from this file: change views in code, not here.\n")
	b.WriteString("--\n")
	writeReasons(&b, p)
	b.WriteString("--\n")
	for _, n := range slices.Sorted(maps.Keys(p.reasons)) {
		if hashOf(from[n]) == hashOf(to[n]) {
			continue // only recreated: its definition does not change
		}
		fmt.Fprintf(&b, "%s%s %s %s\n", ViewHeaderPrefix, n, hashOf(from[n]), hashOf(to[n]))
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func hashOf(d *Definition) string {
	if d == nil {
		return noHash
	}
	return d.Hash()
}

// downHeader explains the down migration, with the reasons of its own plan
// (undoing an appended column, say, is a drop and create, not a replace).
func downHeader(upName string, p *plan) string {
	var b strings.Builder
	b.WriteString("-- Generated by `solarview makemigrations`: reverts " + upName + ",\n")
	b.WriteString("-- restoring the previous definitions of the views it changed. Here:\n")
	b.WriteString("--\n")
	writeReasons(&b, p)
	return b.String()
}

func writeReasons(b *strings.Builder, p *plan) {
	names := make(map[string]bool, len(p.reasons))
	for n := range p.reasons {
		names[n] = true
	}
	for _, n := range keys(names) {
		fmt.Fprintf(b, "--   %s: %s\n", n, p.reasons[n])
	}
}
