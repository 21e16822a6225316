package subquery

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/schema"
)

// OuterRef is a column of the query a subquery expression is embedded in,
// named as in the database (e.g. "id", not "ID"). Use it inside the
// subquery given to [Scalar], [Exists] and the other expressions:
//
//	Where("? = ?", bun.Ident("reading.sensor_id"), subquery.OuterRef("id"))
//
// It renders as the outer query's table alias and the column, both quoted:
// "sensor"."id". The alias is looked up when the expression is rendered, so
// the subquery can be built before the query it will live in. The outer
// query is the nearest enclosing query that has a Bun model; for one without
// a model, write the qualified column yourself with bun.Ident("alias.column").
//
// Rendering an OuterRef outside a subquery expression is an error, and so is
// one whose subquery uses the same table alias as the outer query, because
// the inner alias would capture the reference; give one of the two models a
// different alias (bun:"alias:…") in that case.
type OuterRef string

// scopeArg is the named argument under which an expression exposes its outer
// query's alias to the OuterRefs in its subquery. Bun resolves named
// arguments innermost first, so the nearest expression's scope wins.
const scopeArg = "subquery_outer_scope"

// AppendQuery renders the reference as alias.column.
func (r OuterRef) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	if r == "" {
		return nil, errors.New("subquery: OuterRef needs a column name")
	}
	alias := gen.AppendQuery(nil, "?"+scopeArg)
	if string(alias) == "?"+scopeArg {
		return nil, fmt.Errorf("subquery: OuterRef(%q) is only valid inside a subquery expression (Scalar, Exists, …)", string(r))
	}
	if msg, ok := embeddedError(alias); ok {
		return nil, fmt.Errorf("subquery: OuterRef(%q): %s", string(r), msg)
	}
	b = append(b, alias...)
	b = append(b, '.')
	return gen.AppendName(b, string(r)), nil
}

// scope answers scopeArg for the subquery of one expression.
type scope struct {
	alias []byte // the outer alias, quoted; nil when it is unusable
	err   string // why the alias is unusable
}

func (s *scope) AppendNamedArg(_ schema.QueryGen, b []byte, name string) ([]byte, bool) {
	if name != scopeArg {
		return b, false
	}
	if s.alias == nil {
		return dialect.AppendError(b, errors.New(s.err)), true
	}
	return append(b, s.alias...), true
}

// appendInner renders q as the subquery of an expression rendered with gen:
// gen carries the enclosing query, whose alias becomes the OuterRef scope.
// Errors Bun embedded in the SQL (from OuterRef or a nested expression) are
// returned as errors.
func appendInner(gen schema.QueryGen, b []byte, q *bun.SelectQuery) ([]byte, error) {
	s := &scope{}
	const probe = "?TableAlias"
	outer := gen.AppendQuery(nil, probe)
	switch {
	case string(outer) == probe:
		s.err = "the outer query has no model, so its table alias is unknown; use bun.Ident(\"alias.column\") instead"
	case bytes.Equal(outer, tableAlias(gen, q)):
		s.err = fmt.Sprintf("the subquery's table alias %s hides the outer query's; give one of the models another alias", outer)
	default:
		s.alias = outer
	}

	start := len(b)
	b, err := q.AppendQuery(gen.WithArg(s), b)
	if err != nil {
		return nil, err
	}
	if msg, ok := embeddedError(b[start:]); ok {
		return nil, errors.New(msg)
	}
	return b, nil
}

// tableAlias is q's own table alias, quoted, or nil when q has no model.
// q is asked alone, so an enclosing query's alias cannot answer for it.
func tableAlias(gen schema.QueryGen, q *bun.SelectQuery) []byte {
	const probe = "?TableAlias"
	alias := schema.NewQueryGen(gen.Dialect()).WithArg(q).AppendQuery(nil, probe)
	if string(alias) == probe {
		return nil
	}
	return alias
}
