package viewmig

import (
	"fmt"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/solarview/solarview/views"
)

// Definition is one view as the engine compares it: either rendered from
// code or reconstructed from the migration files.
type Definition struct {
	// Name is the view's name (unqualified, public schema).
	Name string
	// Materialized is true for a materialized view.
	Materialized bool
	// WithNoData is true when a materialized view is created empty.
	WithNoData bool
	// Query is the view's SELECT in canonical one-line form (see
	// NormalizeSelect): equal strings mean equal meaning.
	Query string
	// Indexes of a materialized view, sorted by name.
	Indexes []IndexDef
	// Deps are the relations (tables and views) the query reads, sorted.
	Deps []string
	// Source is where the definition comes from: the migration file and
	// line of its CREATE statement, or the file registering the view.
	Source Source

	stmt *pg.Node // the parsed SELECT; history renames rewrite it
}

// IndexDef is an index on a materialized view.
type IndexDef struct {
	// Name of the index.
	Name string
	// SQL is the canonical one-line CREATE INDEX statement.
	SQL string

	stmt *pg.Node
}

// Source is a position in a file. Line is 1-based; 0 means unknown.
type Source struct {
	File string
	Line int
}

func (s Source) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return s.File
}

// renderDB formats index statements without a connection.
var renderDB = bun.NewDB(nil, pgdialect.New())

// FromView renders a registered view to a Definition. Nothing is executed:
// the Bun builder only formats SQL.
func FromView(v views.View) (*Definition, error) {
	sql, err := v.SQL()
	if err != nil {
		return nil, err
	}
	stmt, err := parseSelect(sql)
	if err != nil {
		return nil, fmt.Errorf("view %q renders SQL that does not parse: %w\n%s", v.Name, err, sql)
	}
	query, err := deparseNode(stmt)
	if err != nil {
		return nil, fmt.Errorf("view %q: %w", v.Name, err)
	}
	d := &Definition{
		Name:         v.Name,
		Materialized: v.Materialized,
		WithNoData:   v.Materialized && v.WithNoData,
		Query:        query,
		Deps:         dependencies(stmt),
		stmt:         stmt,
	}
	if file, line, ok := views.Source(v.Name); ok {
		d.Source = Source{File: file, Line: line}
	}
	if !v.Materialized {
		return d, nil
	}
	for _, ix := range v.Indexes {
		idx, err := indexFromCode(v.Name, ix)
		if err != nil {
			return nil, err
		}
		d.Indexes = append(d.Indexes, idx)
	}
	sortIndexes(d.Indexes)
	for i := 1; i < len(d.Indexes); i++ {
		if d.Indexes[i].Name == d.Indexes[i-1].Name {
			return nil, fmt.Errorf("view %q: index %q declared twice", v.Name, d.Indexes[i].Name)
		}
	}
	return d, nil
}

// FromViews renders every view, sorted by name.
func FromViews(vs []views.View) ([]*Definition, error) {
	seen := map[string]bool{}
	for _, v := range vs {
		if seen[v.Name] {
			return nil, fmt.Errorf("view %q defined twice", v.Name)
		}
		seen[v.Name] = true
	}
	out := make([]*Definition, len(vs))
	err := parallel(len(vs), func(i int) error {
		d, err := FromView(vs[i])
		out[i] = d
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// indexFromCode renders a views.Index as a canonical CREATE INDEX.
func indexFromCode(view string, ix views.Index) (IndexDef, error) {
	if ix.Name == "" || len(ix.Columns) == 0 {
		return IndexDef{}, fmt.Errorf("view %q: an index needs a name and columns", view)
	}
	args := []any{bun.Ident(ix.Name), bun.Ident(view)}
	marks := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		marks[i] = "?"
		args = append(args, bun.Ident(c))
	}
	unique := ""
	if ix.Unique {
		unique = "UNIQUE "
	}
	// The format string is built from fixed keywords and placeholders only;
	// names reach the SQL through bun.Ident.
	q := bun.SafeQuery("CREATE "+unique+"INDEX ? ON ? ("+strings.Join(marks, ", ")+")", args...)
	b, err := q.AppendQuery(renderDB.QueryGen(), nil)
	if err != nil {
		return IndexDef{}, fmt.Errorf("view %q: rendering index %q: %w", view, ix.Name, err)
	}
	tree, err := pg.Parse(string(b))
	if err != nil {
		return IndexDef{}, fmt.Errorf("view %q: index %q: %w", view, ix.Name, err)
	}
	stmt := tree.Stmts[0].Stmt
	sql, err := deparseNode(stmt)
	if err != nil {
		return IndexDef{}, err
	}
	return IndexDef{Name: ix.Name, SQL: sql, stmt: stmt}, nil
}

func sortIndexes(ixs []IndexDef) {
	sort.Slice(ixs, func(i, j int) bool { return ixs[i].Name < ixs[j].Name })
}

// sameQuery reports whether a and b create the same relation: same kind,
// same canonical query and, for materialized views, the same WITH NO DATA.
// Indexes are compared separately: they change without recreating the view.
func sameQuery(a, b *Definition) bool {
	return a.Materialized == b.Materialized && a.Query == b.Query && a.WithNoData == b.WithNoData
}

// sameIndexes reports whether a and b have the same indexes.
func sameIndexes(a, b *Definition) bool {
	if len(a.Indexes) != len(b.Indexes) {
		return false
	}
	for i := range a.Indexes {
		if a.Indexes[i].Name != b.Indexes[i].Name || a.Indexes[i].SQL != b.Indexes[i].SQL {
			return false
		}
	}
	return true
}

// kind is "VIEW" or "MATERIALIZED VIEW".
func (d *Definition) kind() string {
	if d.Materialized {
		return "MATERIALIZED VIEW"
	}
	return "VIEW"
}

// CreateSQL is the pretty-printed statement creating the view (replace:
// CREATE OR REPLACE, for plain views), followed by its indexes.
func (d *Definition) CreateSQL(replace bool) (string, error) {
	var b strings.Builder
	b.WriteString("CREATE ")
	if replace && !d.Materialized {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString(d.kind())
	b.WriteString(" ")
	b.WriteString(quoteIdent(d.Name))
	b.WriteString(" AS ")
	b.WriteString(d.Query)
	if d.WithNoData {
		b.WriteString(" WITH NO DATA")
	}
	out, err := Pretty(b.String())
	if err != nil {
		return "", fmt.Errorf("view %q: %w", d.Name, err)
	}
	for _, ix := range d.Indexes {
		s, err := Pretty(ix.SQL)
		if err != nil {
			return "", fmt.Errorf("view %q: index %q: %w", d.Name, ix.Name, err)
		}
		out += s
	}
	return out, nil
}

// DropSQL is the statement dropping the view (its indexes go with it).
func (d *Definition) DropSQL() (string, error) {
	return Pretty("DROP " + d.kind() + " " + quoteIdent(d.Name))
}
