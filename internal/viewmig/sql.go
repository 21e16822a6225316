package viewmig

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// parseSelect parses sql, which must be exactly one SELECT (or VALUES, or a
// set operation), and returns its statement node.
func parseSelect(sql string) (*pg.Node, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(tree.Stmts) != 1 {
		return nil, fmt.Errorf("expected one SELECT statement, found %d statements", len(tree.Stmts))
	}
	stmt := tree.Stmts[0].Stmt
	if stmt.GetSelectStmt() == nil {
		return nil, errors.New("expected a SELECT statement")
	}
	return stmt, nil
}

// deparseNode returns the canonical one-line SQL of one statement node:
// pg_query's deparser prints a tree the same way whatever the original
// spacing, quoting, keyword case or redundant parentheses, while every
// difference of meaning (a constant, an operator, a column) survives.
// Comparing these strings, never Fingerprints (which ignore constants), is
// how drift is detected.
func deparseNode(stmt *pg.Node) (string, error) {
	return pg.Deparse(single(stmt))
}

// parserVersion is the PostgreSQL version of pg_query's parser, which the
// deparser insists a parse tree carries.
var parserVersion = func() int32 {
	tree, err := pg.Parse("SELECT")
	if err != nil {
		panic("pg_query cannot parse SELECT: " + err.Error())
	}
	return tree.Version
}()

// single wraps one statement as a parse tree.
func single(stmt *pg.Node) *pg.ParseResult {
	return &pg.ParseResult{Version: parserVersion, Stmts: []*pg.RawStmt{{Stmt: stmt}}}
}

// prettyNode is [deparseNode] laid out on several lines.
func prettyNode(stmt *pg.Node) (string, error) {
	return deparsePretty(single(stmt))
}

// NormalizeSelect parses a SELECT and prints it back canonically (see
// deparseNode), so two spellings of the same query compare equal.
func NormalizeSelect(sql string) (string, error) {
	stmt, err := parseSelect(sql)
	if err != nil {
		return "", err
	}
	return deparseNode(stmt)
}

// Pretty pretty-prints any SQL (one or more statements), each statement
// ending with a semicolon and a newline.
func Pretty(sql string) (string, error) {
	tree, err := pg.Parse(sql)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, raw := range tree.Stmts {
		s, err := prettyNode(raw.Stmt)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
		b.WriteString(";\n")
	}
	return b.String(), nil
}

// quoteIdent quotes a PostgreSQL identifier. The quoting never survives
// normalization: pg_query prints identifiers quoted only when they need it.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// relationKey names a relation the way the engine tracks views: unqualified
// for the public schema (where solarview's views live), schema.name
// otherwise.
func relationKey(rv *pg.RangeVar) string {
	if rv.Schemaname == "" || rv.Schemaname == "public" {
		return rv.Relname
	}
	return rv.Schemaname + "." + rv.Relname
}

// dependencies lists the relations (tables and views) a statement reads,
// sorted and without duplicates: every RangeVar in the tree, including those
// in subqueries, CTE bodies and expressions, except references to CTEs in
// scope. Function calls in FROM are not relations and are not listed.
func dependencies(stmt *pg.Node) []string {
	seen := map[string]bool{}
	walkRelations(stmt.ProtoReflect(), nil, func(rv *pg.RangeVar) {
		seen[relationKey(rv)] = true
	})
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// walkRelations calls fn for every RangeVar under m that is not a reference
// to a CTE visible at that point. ctes holds the CTE names in scope.
//
// A WITH clause's names are in scope for the whole statement that owns it,
// its CTE bodies included. For non-recursive WITH that is slightly wider than
// PostgreSQL's rule (a CTE body cannot see itself or later CTEs), which only
// matters for a CTE named like a table that an earlier CTE body reads.
func walkRelations(m protoreflect.Message, ctes map[string]bool, fn func(*pg.RangeVar)) {
	switch n := m.Interface().(type) {
	case *pg.RangeVar:
		if n.Schemaname == "" && ctes[n.Relname] {
			return
		}
		fn(n)
		return
	case *pg.SelectStmt:
		ctes = withNames(ctes, n.WithClause)
	case *pg.InsertStmt:
		ctes = withNames(ctes, n.WithClause)
	case *pg.UpdateStmt:
		ctes = withNames(ctes, n.WithClause)
	case *pg.DeleteStmt:
		ctes = withNames(ctes, n.WithClause)
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		switch {
		case fd.IsList():
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				walkRelations(list.Get(i).Message(), ctes, fn)
			}
		case fd.IsMap():
			// The parse tree has no maps.
		default:
			walkRelations(v.Message(), ctes, fn)
		}
		return true
	})
}

// withNames returns scope extended with the CTE names of w (scope itself
// when w adds none; never modified in place).
func withNames(scope map[string]bool, w *pg.WithClause) map[string]bool {
	if w == nil || len(w.Ctes) == 0 {
		return scope
	}
	out := make(map[string]bool, len(scope)+len(w.Ctes))
	for k := range scope {
		out[k] = true
	}
	for _, c := range w.Ctes {
		if cte := c.GetCommonTableExpr(); cte != nil {
			out[cte.Ctename] = true
		}
	}
	return out
}

// renameRelations rewrites every reference to relation from as to (both
// unqualified public names), leaving CTE references alone. It follows
// ALTER VIEW ... RENAME TO into the stored definitions of the views that
// read the renamed one, as PostgreSQL itself does.
func renameRelations(stmt *pg.Node, from, to string) {
	walkRelations(stmt.ProtoReflect(), nil, func(rv *pg.RangeVar) {
		if relationKey(rv) == from {
			rv.Relname = to
		}
	})
}

// lineOf returns the 1-based line of byte offset off in text.
func lineOf(text string, off int) int {
	if off < 0 {
		off = 0
	}
	if off > len(text) {
		off = len(text)
	}
	return strings.Count(text[:off], "\n") + 1
}
