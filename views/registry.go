// Package views defines solarview's PostgreSQL views as Bun query builders.
//
// Every view is registered here, once, from an init function in the file that
// defines it. `solarview makemigrations` renders each registered view to SQL,
// compares it with the latest definition recorded in the migration files and
// writes a migration for what changed; `solarview check` fails when the two
// have drifted apart.
package views

import (
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/internal/subquery"
)

// View is one view definition.
type View struct {
	// Name is the view's name in the database (unqualified, public schema).
	Name string
	// Query builds the view's SELECT on db. db has no connection: builders
	// must not execute anything, only describe the query.
	Query func(db *bun.DB) *bun.SelectQuery
	// Materialized makes this a materialized view.
	Materialized bool
	// WithNoData creates a materialized view empty; it is filled by
	// `solarview refresh`. Ignored for plain views.
	WithNoData bool
	// Indexes are created on a materialized view after it. Ignored for plain
	// views.
	Indexes []Index
	// Model is the read-only Bun model that reads this view, if any, as a
	// nil pointer: (*models.Summary)(nil). Declaring it here, beside the
	// query, lets a test check that the model's columns and types are the
	// ones PostgreSQL plans for the view, so neither can change alone.
	Model any
	// Comment is the view's COMMENT. Empty leaves the comment to whoever
	// manages it by hand: a drop-and-recreate keeps the live one.
	Comment string
	// SecurityBarrier sets the security_barrier option (plain views only):
	// the planner evaluates the view's own conditions before any the caller
	// adds, so a leaky function cannot see rows the view filters out.
	SecurityBarrier bool
	// SecurityInvoker sets security_invoker (plain views, PostgreSQL 15+):
	// the base tables are read with the privileges and row-level security
	// of the user querying the view, not of its owner.
	SecurityInvoker bool
	// CheckOption is "", "local" or "cascaded": WITH … CHECK OPTION, for
	// automatically updatable plain views.
	CheckOption string

	at source // where it was registered (Register, Here)
}

// Location returns the file (relative to the repository root, see
// [RepoPath]) and line where v was registered, or given to [Here].
func (v View) Location() (file string, line int, ok bool) {
	if v.at.file == "" {
		return "", 0, false
	}
	return RepoPath(v.at.file), v.at.line, true
}

// Here returns v marked with the caller's file and line, as Register marks
// the views it registers: for registries built outside the global one
// (tests), so that their errors point at code too.
func Here(v View) View {
	if _, file, line, ok := runtime.Caller(1); ok {
		v.at = source{file: file, line: line}
	}
	return v
}

// Index is an index on a materialized view.
type Index struct {
	// Name of the index; unique in the schema.
	Name string
	// Columns, in order; quoted by Bun when rendered.
	Columns []string
	// Expressions are SQL expressions indexed after Columns, such as
	// "lower(code)" or "(data ->> 'kind')"; each is parenthesised.
	Expressions []string
	// Method is the access method: "" (btree), "brin", "gin", "gist",
	// "hash", "spgist"…
	Method string
	// Where, when set, makes a partial index on this SQL predicate.
	Where string
	// Unique makes a unique index, which REFRESH ... CONCURRENTLY requires.
	Unique bool
}

// registry holds registered views. The package's own, registered, is the one
// the init functions fill and every command reads; a test that registers
// views of its own makes another, so it needs no global to swap and runs in
// parallel with the tests that read views.
type registry struct {
	mu       sync.RWMutex
	views    map[string]View
	sources  map[string]source
	problems []*RegisterError
}

func newRegistry() *registry {
	return &registry{views: map[string]View{}, sources: map[string]source{}}
}

// registered is the registry of the views solarview manages.
var registered = newRegistry()

// source is where a view was registered.
type source struct {
	file string
	line int
}

// RegisterError is a registration that was refused (an empty name or query,
// a name registered twice), with the file and line of the Register call.
// Register cannot return it (it runs from init functions), so it is kept for
// [Errors], which `solarview check` and makemigrations report: a clickable
// error instead of a stack trace at start-up.
type RegisterError struct {
	File string
	Line int
	Msg  string
}

func (e *RegisterError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Register adds v to the registry. A refused registration (empty name or
// query, duplicate name) is recorded for [Errors] rather than panicking.
func Register(v View) {
	file, line := callerOutside()
	registered.register(v, file, line)
}

// register adds v, registered at file:line, to r.
func (r *registry) register(v View, file string, line int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fail := func(msg string) {
		r.problems = append(r.problems, &RegisterError{File: RepoPath(file), Line: line, Msg: msg})
	}
	switch {
	case v.Name == "" || v.Query == nil:
		fail("views.Register needs a name and a query")
		return
	case r.views[v.Name].Query != nil:
		first := r.sources[v.Name]
		fail(fmt.Sprintf("view %q registered twice (first at %s:%d)", v.Name, RepoPath(first.file), first.line))
		return
	}
	v.at = source{file: file, line: line}
	r.views[v.Name] = v
	r.sources[v.Name] = v.at
}

// callerOutside returns the file and line of Register's caller.
func callerOutside() (string, int) {
	if _, file, line, ok := runtime.Caller(2); ok {
		return file, line
	}
	return "", 0
}

// Errors returns the registrations that were refused, in the order made.
func Errors() []*RegisterError { return registered.errors() }

func (r *registry) errors() []*RegisterError {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append([]*RegisterError(nil), r.problems...)
}

// Source returns the file (relative to the repository root when it can be
// found, see [RepoPath]) and line that registered the view name, so that
// `solarview check` can point at the code of a view.
func Source(name string) (file string, line int, ok bool) {
	registered.mu.RLock()
	defer registered.mu.RUnlock()
	s, ok := registered.sources[name]
	return RepoPath(s.file), s.line, ok
}

// All returns every registered view, sorted by name.
func All() []View { return registered.all() }

func (r *registry) all() []View {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]View, 0, len(r.views))
	for _, v := range r.views {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the view registered under name.
func Lookup(name string) (View, bool) {
	registered.mu.RLock()
	defer registered.mu.RUnlock()
	v, ok := registered.views[name]
	return v, ok
}

// renderDB formats queries for PostgreSQL without a connection.
var renderDB = bun.NewDB(nil, pgdialect.New())

// SQL renders v's SELECT statement as PostgreSQL would receive it.
func (v View) SQL() (sql string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("view %q: its builder panicked: %v%s", v.Name, r, panicSite())
		}
	}()
	// subquery.Render also catches the errors Bun writes into the SQL as
	// ?!(…) instead of returning them, such as a bad argument to a ? .
	sql, err = subquery.Render(renderDB.QueryGen(), v.Query(renderDB))
	if err != nil {
		return "", fmt.Errorf("rendering view %q: %w", v.Name, err)
	}
	return sql, nil
}
