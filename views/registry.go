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
}

// Index is an index on a materialized view.
type Index struct {
	// Name of the index; unique in the schema.
	Name string
	// Columns, in order; quoted by Bun when rendered.
	Columns []string
	// Unique makes a unique index, which REFRESH ... CONCURRENTLY requires.
	Unique bool
}

var (
	mu       sync.RWMutex
	registry = map[string]View{}
	sources  = map[string]source{}
)

// source is where a view was registered.
type source struct {
	file string
	line int
}

// Register adds v to the registry. It panics on a duplicate or empty name,
// since both are programming errors caught by any test run.
func Register(v View) {
	mu.Lock()
	defer mu.Unlock()
	if v.Name == "" || v.Query == nil {
		panic("views: Register needs a name and a query")
	}
	if _, dup := registry[v.Name]; dup {
		panic(fmt.Sprintf("views: view %q registered twice", v.Name))
	}
	registry[v.Name] = v
	if _, file, line, ok := runtime.Caller(1); ok {
		sources[v.Name] = source{file: file, line: line}
	}
}

// Source returns the file and line that registered the view name, so that
// `solarview check` can point at the code of a drifted view.
func Source(name string) (file string, line int, ok bool) {
	mu.RLock()
	defer mu.RUnlock()
	s, ok := sources[name]
	return s.file, s.line, ok
}

// All returns every registered view, sorted by name.
func All() []View {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]View, 0, len(registry))
	for _, v := range registry {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the view registered under name.
func Lookup(name string) (View, bool) {
	mu.RLock()
	defer mu.RUnlock()
	v, ok := registry[name]
	return v, ok
}

// renderDB formats queries for PostgreSQL without a connection.
var renderDB = bun.NewDB(nil, pgdialect.New())

// SQL renders v's SELECT statement as PostgreSQL would receive it.
func (v View) SQL() (string, error) {
	// subquery.Render also catches the errors Bun writes into the SQL as
	// ?!(…) instead of returning them, such as a bad argument to a ? .
	sql, err := subquery.Render(renderDB.QueryGen(), v.Query(renderDB))
	if err != nil {
		return "", fmt.Errorf("rendering view %q: %w", v.Name, err)
	}
	return sql, nil
}
