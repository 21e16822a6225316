package subquery

import (
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// kind selects the SQL an [Expr] wraps its subquery in.
type kind int

const (
	kindScalar kind = iota + 1
	kindExists
	kindNotExists
	kindArray
	kindJSONObjectAgg
	kindToJSONB
	kindCount
	kindAggregate
)

// names are used in error messages, so a message says which expression failed.
var kindNames = map[kind]string{
	kindScalar:        "Scalar",
	kindExists:        "Exists",
	kindNotExists:     "NotExists",
	kindArray:         "Array",
	kindJSONObjectAgg: "JSONObjectAgg",
	kindToJSONB:       "ToJSONB",
	kindCount:         "Count",
	kindAggregate:     "Aggregate",
}

// derivedAlias names the derived table the wrapping expressions select from.
// It is visible only inside the wrapper's own SELECT, never inside the
// subquery, so it cannot capture an OuterRef.
const derivedAlias = "sub"

// Expr is a subquery expression. Build one with [Scalar], [Exists],
// [NotExists], [Array], [JSONObjectAgg], [ToJSONB], [Count] or [Aggregate]
// and pass it as a `?` argument to any Bun query method. The zero Expr renders
// an error.
type Expr struct {
	kind kind
	fn   Func
	q    *bun.SelectQuery
}

var _ schema.QueryAppender = Expr{}

// Scalar is the single value of a one-row, one-column subquery: `(SELECT …)`.
// The subquery must return one column (checked when rendered); PostgreSQL
// refuses more than one row at run time, so order it and limit it to one row
// when it could return several. No row gives NULL.
func Scalar(q *bun.SelectQuery) Expr { return Expr{kind: kindScalar, q: q} }

// Exists is true when q returns at least one row: `EXISTS (SELECT …)`.
// Its columns do not matter.
func Exists(q *bun.SelectQuery) Expr { return Expr{kind: kindExists, q: q} }

// NotExists is true when q returns no row: `NOT EXISTS (SELECT …)`.
func NotExists(q *bun.SelectQuery) Expr { return Expr{kind: kindNotExists, q: q} }

// Array collects the single column of every row of q into a PostgreSQL array,
// in q's order: `ARRAY(SELECT …)`. Unlike [Scalar] it needs no LIMIT 1, and
// no row gives an empty array, not NULL.
func Array(q *bun.SelectQuery) Expr { return Expr{kind: kindArray, q: q} }

// JSONObjectAgg turns the rows of a two-column subquery into one jsonb
// object: the first column gives the keys (converted to text by PostgreSQL),
// the second the values. Columns may have any names. jsonb keeps one value per
// key and orders keys by length then bytes, not by q's order. No row gives
// NULL.
func JSONObjectAgg(q *bun.SelectQuery) Expr { return Expr{kind: kindJSONObjectAgg, q: q} }

// ToJSONB turns the single row of q into a jsonb object keyed by its column
// names: `(SELECT to_jsonb(sub) FROM (SELECT …) AS sub)`. Scan it into a
// typed model with package jsonmodel. No row gives NULL; more than one row is
// an error from PostgreSQL, so limit q to one row.
func ToJSONB(q *bun.SelectQuery) Expr { return Expr{kind: kindToJSONB, q: q} }

// Count is the number of rows q returns (a bigint; 0 for none). It counts
// what q returns after its own LIMIT and DISTINCT, which is what makes it
// different from a plain count(*) on q's table.
func Count(q *bun.SelectQuery) Expr { return Expr{kind: kindCount, q: q} }

// Aggregate applies fn to the single column of q over all its rows:
// `(SELECT avg(sub.value) FROM (SELECT …) AS sub (value))`. A subquery with
// more than one column is refused when rendered, as is one whose columns
// cannot be counted (`*`). No row gives NULL, as SQL aggregates do.
func Aggregate(fn Func, q *bun.SelectQuery) Expr {
	return Expr{kind: kindAggregate, fn: fn, q: q}
}

// Func is an aggregate function [Aggregate] may apply.
type Func string

// The aggregates [Aggregate] accepts. Only these are rendered: a Func is
// never pasted into SQL unless it is one of them.
const (
	Sum Func = "sum"
	Avg Func = "avg"
	Min Func = "min"
	Max Func = "max"
)

var funcs = map[Func]bool{Sum: true, Avg: true, Min: true, Max: true}

// AppendQuery renders the expression. The subquery is rendered with a scope
// that lets any [OuterRef] inside it resolve to the outer query's alias.
func (e Expr) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	name := kindNames[e.kind]
	if name == "" || e.q == nil {
		return nil, errors.New("subquery: empty expression; build it with subquery.Scalar, Exists, …")
	}
	if e.kind == kindAggregate && !funcs[e.fn] {
		return nil, fmt.Errorf("subquery: Aggregate does not support %q (use Sum, Avg, Min or Max)", string(e.fn))
	}

	inner, err := appendInner(gen, nil, e.q)
	if err != nil {
		return nil, fmt.Errorf("subquery: %s: %w", name, err)
	}
	if want := e.columns(); want > 0 {
		if err := checkColumns(inner, want); err != nil {
			return nil, fmt.Errorf("subquery: %s: %w", e.describe(), err)
		}
	}

	switch e.kind {
	case kindScalar:
		b = append(b, '(')
		b = append(b, inner...)
		b = append(b, ')')
	case kindExists, kindNotExists:
		if e.kind == kindNotExists {
			b = append(b, "NOT "...)
		}
		b = append(b, "EXISTS ("...)
		b = append(b, inner...)
		b = append(b, ')')
	case kindArray:
		b = append(b, "ARRAY("...)
		b = append(b, inner...)
		b = append(b, ')')
	case kindJSONObjectAgg:
		b = append(b, "(SELECT jsonb_object_agg("...)
		b = appendColumn(gen, b, "key")
		b = append(b, ", "...)
		b = appendColumn(gen, b, "value")
		b = append(b, ") FROM ("...)
		b = append(b, inner...)
		b = append(b, ") AS "...)
		b = gen.AppendName(b, derivedAlias)
		b = append(b, " ("...)
		b = gen.AppendName(b, "key")
		b = append(b, ", "...)
		b = gen.AppendName(b, "value")
		b = append(b, "))"...)
	case kindToJSONB:
		b = append(b, "(SELECT to_jsonb("...)
		b = gen.AppendName(b, derivedAlias)
		b = append(b, ") FROM ("...)
		b = append(b, inner...)
		b = append(b, ") AS "...)
		b = gen.AppendName(b, derivedAlias)
		b = append(b, ')')
	case kindCount:
		b = append(b, "(SELECT count(*) FROM ("...)
		b = append(b, inner...)
		b = append(b, ") AS "...)
		b = gen.AppendName(b, derivedAlias)
		b = append(b, ')')
	case kindAggregate:
		b = append(b, "(SELECT "...)
		b = append(b, e.fn...) // one of the fixed names in funcs
		b = append(b, '(')
		b = appendColumn(gen, b, "value")
		b = append(b, ") FROM ("...)
		b = append(b, inner...)
		b = append(b, ") AS "...)
		b = gen.AppendName(b, derivedAlias)
		b = append(b, " ("...)
		b = gen.AppendName(b, "value")
		b = append(b, "))"...)
	}
	return b, nil
}

// columns is how many columns the subquery must have, 0 when any number goes.
func (e Expr) columns() int {
	switch e.kind {
	case kindScalar, kindArray, kindAggregate:
		return 1
	case kindJSONObjectAgg:
		return 2
	}
	return 0
}

func (e Expr) describe() string {
	if e.kind == kindAggregate {
		return fmt.Sprintf("Aggregate(%s)", e.fn)
	}
	return kindNames[e.kind]
}

// appendColumn appends the derived table's column: "sub"."name".
func appendColumn(gen schema.QueryGen, b []byte, name string) []byte {
	b = gen.AppendName(b, derivedAlias)
	b = append(b, '.')
	return gen.AppendName(b, name)
}
