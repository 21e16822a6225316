package subquery

import (
	"errors"

	"github.com/uptrace/bun/schema"
)

// KeyValue is one member of a [JSONBuildObject]: a key, always rendered as a
// string literal, and a value rendered by Bun like any `?` argument — so
// bun.Ident("reading.temperature") is a column, an [Expr] or [OuterRef] is
// an expression, and a Go string or number is a literal.
type KeyValue struct {
	Key   string
	Value any
}

// KV is shorthand for a [KeyValue].
func KV(key string, value any) KeyValue { return KeyValue{Key: key, Value: value} }

// JSONBuildObject builds a jsonb object from key/value pairs, in PostgreSQL
// `jsonb_build_object('k1', v1, 'k2', v2, …)`. It shapes a row into JSON
// inside a subquery given to [Array] or [Scalar], choosing key names that
// need not match any column. With no pairs it is the empty object.
func JSONBuildObject(pairs ...KeyValue) schema.QueryAppender {
	return jsonBuildObject(pairs)
}

type jsonBuildObject []KeyValue

func (o jsonBuildObject) AppendQuery(gen schema.QueryGen, b []byte) ([]byte, error) {
	b = append(b, "jsonb_build_object("...)
	for i, kv := range o {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = gen.Dialect().AppendString(b, kv.Key)
		b = append(b, ", "...)
		start := len(b)
		b = gen.Append(b, kv.Value)
		if msg, ok := embeddedError(b[start:]); ok {
			return nil, errors.New(msg)
		}
	}
	return append(b, ')'), nil
}
