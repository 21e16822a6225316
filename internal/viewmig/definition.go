package viewmig

import (
	"crypto/sha256"
	"encoding/hex"
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
	// Options are a plain view's options as sorted "name=value" strings
	// (security_barrier=true, security_invoker=true, check_option=local);
	// boolean options that are false are left out, as they are the default.
	Options []string
	// Comment is the view's comment, "" for none.
	Comment string
	// Grants are the privileges migrations GRANT on the view, per grantee
	// ("PUBLIC" or a role name): history only, since code declares none.
	Grants map[string][]string
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
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
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
//
// Errors carry the file and line of the view's Register call (a
// *SourceError), so that a developer can click them.
func FromView(v views.View) (*Definition, error) {
	d, err := fromView(v)
	if err != nil {
		if file, line, ok := v.Location(); ok {
			return nil, &SourceError{Source: Source{File: file, Line: line}, Err: err}
		}
		return nil, err
	}
	if file, line, ok := v.Location(); ok {
		d.Source = Source{File: file, Line: line}
	}
	return d, nil
}

func fromView(v views.View) (*Definition, error) {
	sql, err := v.SQL()
	if err != nil {
		return nil, err
	}
	stmt, err := parseSelect(sql)
	if err != nil {
		return nil, fmt.Errorf("view %q renders SQL that does not parse: %w", v.Name, err)
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
		Comment:      v.Comment,
		Deps:         dependencies(stmt),
		stmt:         stmt,
	}
	if !v.Materialized {
		opts, err := optionsFromCode(v)
		if err != nil {
			return nil, err
		}
		d.Options = opts
		return d, nil
	}
	if v.SecurityBarrier || v.SecurityInvoker || v.CheckOption != "" {
		return nil, fmt.Errorf("view %q: security_barrier, security_invoker and check_option apply to plain views, not materialized ones", v.Name)
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

// optionsFromCode lists a plain view's options as [Definition.Options]
// does.
func optionsFromCode(v views.View) ([]string, error) {
	var out []string
	switch v.CheckOption {
	case "":
	case "local", "cascaded":
		out = append(out, "check_option="+v.CheckOption)
	default:
		return nil, fmt.Errorf("view %q: CheckOption %q: use \"local\" or \"cascaded\"", v.Name, v.CheckOption)
	}
	if v.SecurityBarrier {
		out = append(out, "security_barrier=true")
	}
	if v.SecurityInvoker {
		out = append(out, "security_invoker=true")
	}
	sort.Strings(out)
	return out, nil
}

// indexFromCode renders a views.Index as a canonical CREATE INDEX.
func indexFromCode(view string, ix views.Index) (IndexDef, error) {
	if ix.Name == "" || len(ix.Columns)+len(ix.Expressions) == 0 {
		return IndexDef{}, fmt.Errorf("view %q: an index needs a name and columns or expressions", view)
	}
	args := []any{bun.Ident(ix.Name), bun.Ident(view)}
	var format strings.Builder
	format.WriteString("CREATE ")
	if ix.Unique {
		format.WriteString("UNIQUE ")
	}
	format.WriteString("INDEX ? ON ?")
	if ix.Method != "" {
		format.WriteString(" USING ?")
		args = append(args, bun.Ident(ix.Method))
	}
	marks := make([]string, 0, len(ix.Columns)+len(ix.Expressions))
	for _, c := range ix.Columns {
		marks = append(marks, "?")
		args = append(args, bun.Ident(c))
	}
	for _, e := range ix.Expressions {
		marks = append(marks, "(?)")
		args = append(args, bun.SafeQuery(e))
	}
	format.WriteString(" (" + strings.Join(marks, ", ") + ")")
	if ix.Where != "" {
		format.WriteString(" WHERE ?")
		args = append(args, bun.SafeQuery(ix.Where))
	}
	// The format string is built from fixed keywords and placeholders only;
	// names reach the SQL through bun.Ident, and expressions are the view
	// author's SQL, like a builder's ColumnExpr.
	q := bun.SafeQuery(format.String(), args...)
	b, err := q.AppendQuery(renderDB.QueryGen(), nil)
	if err != nil {
		return IndexDef{}, fmt.Errorf("view %q: rendering index %q: %w", view, ix.Name, err)
	}
	tree, err := pg.Parse(string(b))
	if err != nil {
		return IndexDef{}, fmt.Errorf("view %q: index %q does not parse: %w", view, ix.Name, err)
	}
	if len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetIndexStmt() == nil {
		return IndexDef{}, fmt.Errorf("view %q: index %q: an expression or predicate ends the statement", view, ix.Name)
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
// Options count too: CREATE OR REPLACE VIEW sets them.
func sameQuery(a, b *Definition) bool {
	return a.Materialized == b.Materialized && a.Query == b.Query && a.WithNoData == b.WithNoData &&
		strings.Join(a.Options, ",") == strings.Join(b.Options, ",")
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
	if len(d.Options) > 0 {
		b.WriteString(" WITH (" + strings.Join(d.Options, ", ") + ")")
	}
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
	return d.dropSQL(false)
}

func (d *Definition) dropSQL(ifExists bool) (string, error) {
	if ifExists {
		return Pretty("DROP " + d.kind() + " IF EXISTS " + quoteIdent(d.Name))
	}
	return Pretty("DROP " + d.kind() + " " + quoteIdent(d.Name))
}

// Hash is a short fingerprint of everything a migration defines for the
// view (kind, canonical query, options, comment, indexes): equal hashes mean
// the same definition. Generated migrations record it per view (see
// [ViewHeaderPrefix]) so that two branches changing the same view from the
// same definition are noticed.
func (d *Definition) Hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%t\x00%s\x00%s\x00%s", d.kind(), d.WithNoData, d.Query, strings.Join(d.Options, ","), d.Comment)
	for _, ix := range d.Indexes {
		fmt.Fprintf(h, "\x00%s", ix.SQL)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
