package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/migrator"
	"github.com/solarview/solarview/internal/names"
	"github.com/solarview/solarview/internal/viewmig"
	"github.com/solarview/solarview/views"
)

// registryError is the first refused views.Register call as an error with
// its file and line, or nil.
func registryError(env *Env) error {
	for _, e := range env.RegisterErrors() {
		return &viewmig.SourceError{Source: viewmig.Source{File: views.RepoPath(e.File), Line: e.Line}, Err: errors.New(e.Msg)}
	}
	return nil
}

// defaultMigrationsDir is where makemigrations writes and check reads,
// relative to the working directory.
const defaultMigrationsDir = "migrations"

func makemigrationsCommand() *cli.Command {
	return &cli.Command{
		Name:  "makemigrations",
		Usage: "write one migration for every view whose code differs from the latest migration",
		Description: "Compares each registered view with its latest definition in the migration files and\n" +
			"writes one <timestamp>_<name>.tx.up.sql / .tx.down.sql pair covering every difference.\n" +
			"Output column types are planned on a scratch PostgreSQL database (--database-url's\n" +
			"server, or the embedded one), which is dropped afterwards.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Value: defaultMigrationName, Usage: "migration `NAME` after the timestamp"},
			&cli.StringFlag{Name: "dir", Value: defaultMigrationsDir, Usage: "migrations `DIR`ectory"},
			&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 1 if a migration would be written"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the migration instead of writing it"},
			&cli.BoolFlag{Name: "merge", Usage: "resolve migrations of merged branches that change the same view: rewrite them to apply\n" +
				"\tfrom either branch's state and add a merge migration (--name defaults to merge)"},
		},
		Action: leaf(makemigrationsOptsFrom, makemigrations),
	}
}

// defaultMigrationName follows the timestamp of makemigrations' files,
// unless --name says otherwise; --merge's default is "merge".
const defaultMigrationName = "views"

type makemigrationsOpts struct {
	// Dir is --dir, "" when not given (see [historyOf]).
	Dir string
	// Name is --name, nil when not given.
	Name                 *string
	Check, DryRun, Merge bool
}

func makemigrationsOptsFrom(c *cli.Context) *makemigrationsOpts {
	return &makemigrationsOpts{Dir: dirOf(c), Name: optional(c, "name"),
		Check: c.Bool("check"), DryRun: c.Bool("dry-run"), Merge: c.Bool("merge")}
}

func (*makemigrationsOpts) Validate() error { return nil }

// name is the migration's name: --name, else the default of the mode.
func (o *makemigrationsOpts) name() string {
	switch {
	case o.Name != nil:
		return *o.Name
	case o.Merge:
		return "merge"
	}
	return defaultMigrationName
}

func makemigrations(ctx context.Context, env *Env, opts *makemigrationsOpts) error {
	if ran, err := runInProject(ctx, env); ran {
		return err
	}
	src, err := historyOf(opts.Dir)
	if err == nil && src.Origin == migrator.Embedded {
		err = errors.New("no migrations directory: run inside the project or pass --dir")
	}
	if err != nil {
		return err
	}
	if err := registryError(env); err != nil {
		return exitCode(2, err.Error())
	}
	dir, fsys := src.Dir, src.FS
	if opts.Merge {
		return writeMerge(env, src, opts.name(), opts.DryRun)
	}
	if opts.Check {
		h, err := viewmig.ReadHistory(fsys, historyLabel(src))
		if err != nil {
			return exitCode(2, err.Error())
		}
		if len(h.Conflicts) > 0 {
			return exitCode(1, h.Conflicts[0].Message())
		}
		code, err := viewmig.FromViews(env.Views())
		if err != nil {
			return exitCode(2, err.Error())
		}
		drift, err := viewmig.Compare(code, h)
		if err != nil {
			return exitCode(2, err.Error())
		}
		if len(drift) == 0 {
			fmt.Fprintln(env.Stdout, "No changes detected")
			return nil
		}
		for _, d := range drift {
			fmt.Fprintf(env.Stdout, "%s: %s\n", d.View, strings.ReplaceAll(string(d.Kind), "_", " "))
		}
		return exitCode(1, "makemigrations would write a migration")
	}
	m, err := viewmig.MakeMigration(ctx, viewmig.MakeOptions{
		Views:   env.Views(),
		FS:      fsys,
		Dir:     historyLabel(src),
		Name:    opts.name(),
		Scratch: func(ctx context.Context) (*bun.DB, func(), error) { return openScratch(ctx, env) },
	})
	if errors.Is(err, viewmig.ErrNoChanges) {
		fmt.Fprintln(env.Stdout, "No changes detected")
		return nil
	}
	var ce *viewmig.ConflictError
	if errors.As(err, &ce) {
		return exitCode(1, err.Error())
	}
	if err != nil {
		return err
	}
	if opts.DryRun {
		fmt.Fprintf(env.Stdout, "-- %s\n%s\n-- %s\n%s", m.UpName, m.Up, m.DownName, m.Down)
		return nil
	}
	for _, f := range []struct{ name, text string }{{m.UpName, m.Up}, {m.DownName, m.Down}} {
		if err := writeNew(filepath.Join(dir, f.name), f.text); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "Wrote %s and %s\n", filepath.Join(dir, m.UpName), filepath.Join(dir, m.DownName))
	for _, name := range slices.Sorted(maps.Keys(m.Reasons)) {
		fmt.Fprintf(env.Stdout, "  %s: %s\n", name, m.Reasons[name])
	}
	return nil
}

// writeMerge runs makemigrations --merge: it overwrites the conflicting
// branch migrations with their rewritten forms (the user named them by
// asking for the merge) and writes the merge migration as a new file.
func writeMerge(env *Env, src migrator.Source, name string, dryRun bool) error {
	dir := src.Dir
	mg, err := viewmig.MakeMerge(viewmig.MergeOptions{Views: env.Views(), FS: src.FS, Dir: historyLabel(src), Name: name})
	if errors.Is(err, viewmig.ErrNoConflicts) {
		fmt.Fprintln(env.Stdout, "No conflicts to merge")
		return nil
	}
	if err != nil {
		return err
	}
	all := append(append([]*viewmig.Migration(nil), mg.Rewritten...), mg.Migration)
	if dryRun {
		for _, m := range all {
			fmt.Fprintf(env.Stdout, "-- %s\n%s\n-- %s\n%s", m.UpName, m.Up, m.DownName, m.Down)
		}
		return nil
	}
	// The merge migration first: if it cannot be written, nothing changed.
	m := mg.Migration
	for _, f := range []struct{ name, text string }{{m.UpName, m.Up}, {m.DownName, m.Down}} {
		if err := writeNew(filepath.Join(dir, f.name), f.text); err != nil {
			return err
		}
	}
	for _, r := range mg.Rewritten {
		for _, f := range []struct{ name, text string }{{r.UpName, r.Up}, {r.DownName, r.Down}} {
			if err := os.WriteFile(filepath.Join(dir, f.name), []byte(f.text), 0o644); err != nil {
				return fmt.Errorf("rewriting migration: %w", err)
			}
		}
		fmt.Fprintf(env.Stdout, "Rewrote %s and %s to apply after either branch\n", filepath.Join(dir, r.UpName), filepath.Join(dir, r.DownName))
	}
	fmt.Fprintf(env.Stdout, "Wrote %s and %s\n", filepath.Join(dir, m.UpName), filepath.Join(dir, m.DownName))
	for _, c := range mg.Conflicts {
		fmt.Fprintf(env.Stdout, "  merged: view %s (%s)\n", c.View, strings.Join(c.Files, ", "))
	}
	return nil
}

// writeNew writes a file that must not exist yet.
func writeNew(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("writing migration: %w", err)
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// withDatabase returns dsn (a URL or key=value string) pointing at database
// name instead.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", errors.New("invalid database URL")
		}
		u.Path = "/" + name
		q := u.Query()
		q.Del("dbname")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// In key=value form the last occurrence of a key wins.
	return dsn + " dbname='" + strings.ReplaceAll(name, "'", `\'`) + "'", nil
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "exit 1 when a view in code differs from its latest migration (no database needed)",
		Description: "Exit codes: 0 in sync, 1 drift (a unified diff per view), 2 error (a migration or\n" +
			"view that cannot be read, with file and line). --database also compares the live\n" +
			"database with the migrations: pending migrations, and views whose live definition\n" +
			"is not what the migrations created.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: defaultMigrationsDir, Usage: "migrations `DIR`ectory (the embedded migrations when the default is absent)"},
			&cli.BoolFlag{Name: "database", Usage: "also compare the live database with the migrations"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output `FORMAT`: text, json or github (workflow annotations)"},
		},
		Action: leaf(checkOptsFrom, check),
	}
}

type checkOpts struct {
	// Dir is --dir, "" when not given (see [historyOf]).
	Dir string
	// Database also compares the live database with the migrations.
	Database bool
	// Format is text, json or github.
	Format string
}

func checkOptsFrom(c *cli.Context) *checkOpts {
	return &checkOpts{Dir: dirOf(c), Database: c.Bool("database"), Format: c.String("format")}
}

// Validate refuses an unknown format with exit code 2, as every error that
// stops check.
func (o *checkOpts) Validate() error {
	if o.Format != "text" && o.Format != "json" && o.Format != "github" {
		return exitCode(2, fmt.Sprintf("unknown --format %q: use text, json or github", o.Format))
	}
	return nil
}

func check(ctx context.Context, env *Env, opts *checkOpts) error {
	if ran, err := runInProject(ctx, env); ran {
		return err
	}
	start := time.Now()
	src, err := historyOf(opts.Dir)
	fsys := src.FS
	rep := checkReport{Status: "ok", Drift: []viewmig.Drift{}, Conflicts: []viewmig.Conflict{}}
	var h *viewmig.History
	if err == nil {
		err = registryError(env)
	}
	if err == nil {
		h, err = viewmig.ReadHistory(fsys, historyLabel(src))
	}
	if err == nil {
		rep.Migrations = len(h.Files)
		rep.Conflicts = append(rep.Conflicts, h.Conflicts...)
		var code []*viewmig.Definition
		code, err = viewmig.FromViews(env.Views())
		if err == nil {
			rep.Views = len(code)
			rep.Drift, err = viewmig.Compare(code, h)
		}
	}
	if err == nil && opts.Database {
		var db *bun.DB
		db, err = env.DB(ctx)
		if err == nil {
			rep.Database, err = viewmig.CompareDatabase(ctx, db, fsys, h)
		}
		if err == nil {
			rep.History, err = migrator.Validate(ctx, db, src)
		}
	}
	rep.ElapsedMS = float64(time.Since(start).Microseconds()) / 1000
	code := 0
	switch {
	case err != nil:
		rep.Status, code = "error", 2
		rep.Error = checkErrorOf(err)
	case len(rep.Drift) > 0 || len(rep.Conflicts) > 0 || (rep.Database != nil && !rep.Database.Clean()) || len(rep.History) > 0:
		rep.Status, code = "drift", 1
	}
	switch opts.Format {
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	case "github":
		rep.writeGitHub(env.Stdout)
	default:
		rep.writeText(env.Stdout, env.Stderr)
	}
	if code != 0 {
		return exitCode(code, "")
	}
	return nil
}

// checkReport is what check prints; its JSON form is stable for tools.
type checkReport struct {
	Status     string                  `json:"status"` // ok, drift or error
	Views      int                     `json:"views"`
	Migrations int                     `json:"migrations"`
	Drift      []viewmig.Drift         `json:"drift"`
	Conflicts  []viewmig.Conflict      `json:"conflicts"`
	Database   *viewmig.DatabaseReport `json:"database,omitempty"`
	History    []migrator.Problem      `json:"history,omitempty"` // applied migrations the files no longer match
	Error      *checkError             `json:"error,omitempty"`
	ElapsedMS  float64                 `json:"elapsed_ms"`
}

type checkError struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
}

func checkErrorOf(err error) *checkError {
	ce := &checkError{Message: err.Error()}
	var se *viewmig.SourceError
	if errors.As(err, &se) {
		ce.File, ce.Line = se.File, se.Line
	}
	return ce
}

func (r *checkReport) writeText(stdout, stderr io.Writer) {
	if r.Error != nil {
		fmt.Fprintf(stderr, "solarview check: %s\n", r.Error.Message)
		return
	}
	for _, c := range r.Conflicts {
		fmt.Fprintln(stdout, c.Message())
	}
	for _, d := range r.Drift {
		fmt.Fprintln(stdout, d.Message())
		if d.Migration != nil {
			fmt.Fprintf(stdout, "  latest migration: %s\n", d.Migration)
		}
		if d.Code != nil {
			fmt.Fprintf(stdout, "  code: %s\n", d.Code.String())
		}
		if d.Diff != "" {
			fmt.Fprintln(stdout, indentDiff(d.Diff))
		}
	}
	if db := r.Database; db != nil {
		for _, p := range db.Pending {
			fmt.Fprintf(stdout, "database: migration %s is not applied: run `solarview migrate`\n", p)
		}
		if db.ComparedWhilePending {
			fmt.Fprintf(stdout, "database: views compared with the migrations' end state although %d migration(s) are pending; what they change shows as drift\n", len(db.Pending))
		}
		for _, d := range db.Drift {
			fmt.Fprintf(stdout, "database: %s\n", d.Message())
			if d.Diff != "" {
				fmt.Fprintln(stdout, indentDiff(d.Diff))
			}
		}
	}
	for _, p := range r.History {
		fmt.Fprintf(stdout, "database: %s\n", p)
	}
	what := fmt.Sprintf("%d views, %d migrations", r.Views, r.Migrations)
	if r.Status == "ok" {
		fmt.Fprintf(stdout, "check: in sync (%s, %.1f ms)\n", what, r.ElapsedMS)
	} else {
		fmt.Fprintf(stdout, "check: drift found (%s, %.1f ms)\n", what, r.ElapsedMS)
	}
}

// writeGitHub prints GitHub Actions workflow commands: one annotation per
// problem, placed on the migration (or the code) that needs attention.
func (r *checkReport) writeGitHub(w io.Writer) {
	annotate := func(file string, line int, title, msg string) {
		loc := ""
		if file != "" {
			loc = " file=" + ghEscapeProperty(file)
			if line > 0 {
				loc += fmt.Sprintf(",line=%d", line)
			}
			loc += ","
		} else {
			loc = " "
		}
		fmt.Fprintf(w, "::error%stitle=%s::%s\n", loc, ghEscapeProperty(title), ghEscapeData(msg))
	}
	if r.Error != nil {
		annotate(r.Error.File, r.Error.Line, "solarview check error", r.Error.Message)
		return
	}
	for _, c := range r.Conflicts {
		annotate(c.Files[len(c.Files)-1], 0, "migration conflict: "+c.View, c.Message())
	}
	for _, d := range r.Drift {
		msg := d.Message()
		if d.Diff != "" {
			msg += "\n" + d.Diff
		}
		var at *viewmig.Source
		switch {
		case d.Code != nil:
			at = d.Code
		case d.Migration != nil:
			at = d.Migration
		}
		if at != nil {
			annotate(at.File, at.Line, "view drift: "+d.View, msg)
		} else {
			annotate("", 0, "view drift: "+d.View, msg)
		}
	}
	if db := r.Database; db != nil {
		for _, p := range db.Pending {
			annotate("", 0, "pending migration", "migration "+p+" is not applied")
		}
		for _, d := range db.Drift {
			msg := d.Message()
			if d.Diff != "" {
				msg += "\n" + d.Diff
			}
			if d.Migration != nil {
				annotate(d.Migration.File, d.Migration.Line, "database view drift: "+d.View, msg)
			} else {
				annotate("", 0, "database view drift: "+d.View, msg)
			}
		}
	}
	for _, p := range r.History {
		annotate(p.File, 0, "applied migration "+string(p.Kind)+": "+p.Migration, p.String())
	}
	fmt.Fprintf(w, "solarview check: %s (%d views, %d migrations, %.1f ms)\n", r.Status, r.Views, r.Migrations, r.ElapsedMS)
}

func ghEscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghEscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// relPath shows a file relative to the repository root (see
// views.RepoPath), whatever the working directory: a path relative to the
// working directory is made absolute first.
func relPath(p string) string {
	if p == "" {
		return p
	}
	if !filepath.IsAbs(p) {
		abs, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		if r := views.RepoPath(abs); r != abs {
			return r
		}
		return p
	}
	return views.RepoPath(p)
}

// historyLabel names a migration history in positions: relative to the
// repository root when it is in one ("migrations" from views/, or with
// --dir ../migrations), as given otherwise.
func historyLabel(src migrator.Source) string {
	if src.Origin != migrator.Flag {
		return src.Label()
	}
	if r := relPath(src.Dir); r != "" {
		return r
	}
	return src.Dir
}

func indentDiff(d string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(d, "\n"), "\n", "\n    ")
}

func sqlviewCommand() *cli.Command {
	return &cli.Command{
		Name:      "sqlview",
		Usage:     "print the SQL a view renders to",
		ArgsUsage: "NAME",
		Action:    leaf(sqlviewOptsFrom, sqlview),
	}
}

type sqlviewOpts struct {
	// View is the registered view's name.
	View string
}

func sqlviewOptsFrom(c *cli.Context) *sqlviewOpts { return &sqlviewOpts{View: c.Args().First()} }

func (*sqlviewOpts) Validate() error { return nil }

func sqlview(_ context.Context, env *Env, opts *sqlviewOpts) error {
	v, err := lookupView(env, opts.View)
	if err != nil {
		return err
	}
	d, err := viewmig.FromView(v)
	if err != nil {
		return err
	}
	sql, err := d.CreateSQL(false)
	if err != nil {
		return err
	}
	if v.Comment != "" {
		sql += viewmig.CommentSQL(d)
	}
	fmt.Fprint(env.Stdout, sql)
	return nil
}

// lookupView finds a registered view, suggesting the closest name on a typo.
func lookupView(env *Env, name string) (views.View, error) {
	var known []string
	for _, v := range env.Views() {
		if v.Name == name {
			return v, nil
		}
		known = append(known, v.Name)
	}
	slices.Sort(known)
	return views.View{}, &names.NotFoundError{Kind: "view", Name: name, Known: known}
}

func refreshCommand() *cli.Command {
	return &cli.Command{
		Name:      "refresh",
		Usage:     "refresh materialized views, dependencies first",
		ArgsUsage: "[VIEW...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "concurrently", Usage: "REFRESH ... CONCURRENTLY (needs a unique index; readers are not blocked)"},
		},
		Action: leaf(refreshOptsFrom, refresh),
	}
}

type refreshOpts struct {
	// Views are the materialized views named; none refreshes them all.
	Views        []string
	Concurrently bool
}

func refreshOptsFrom(c *cli.Context) *refreshOpts {
	return &refreshOpts{Views: c.Args().Slice(), Concurrently: c.Bool("concurrently")}
}

func (*refreshOpts) Validate() error { return nil }

func refresh(ctx context.Context, env *Env, opts *refreshOpts) error {
	defs, err := viewmig.FromViews(env.Views())
	if err != nil {
		return err
	}
	var names []string
	if len(opts.Views) == 0 {
		for _, d := range defs {
			if d.Materialized {
				names = append(names, d.Name)
			}
		}
	}
	for _, arg := range opts.Views {
		v, err := lookupView(env, arg)
		if err != nil {
			return err
		}
		if !v.Materialized {
			return fmt.Errorf("view %q is not materialized; there is nothing to refresh", arg)
		}
		names = append(names, v.Name)
	}
	if len(names) == 0 {
		fmt.Fprintln(env.Stdout, "No materialized views to refresh.")
		return nil
	}
	db, err := env.DB(ctx)
	if err != nil {
		return err
	}
	mode := ""
	if opts.Concurrently {
		mode = "CONCURRENTLY "
	}
	for _, name := range viewmig.DependencyOrder(defs, names) {
		start := time.Now()
		if _, err := db.ExecContext(ctx, "REFRESH MATERIALIZED VIEW "+mode+"?", bun.Ident(name)); err != nil {
			return fmt.Errorf("refreshing %s: %w", name, err)
		}
		fmt.Fprintf(env.Stdout, "refreshed %s (%s)\n", name, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
