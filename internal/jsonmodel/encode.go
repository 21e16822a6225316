package jsonmodel

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun/schema"
)

// Marshal encodes model, a pointer to a Bun model struct, as a JSON object
// keyed by column names, with values in the form to_jsonb gives them:
// timestamps in RFC 3339, numerics as JSON numbers with their digits intact,
// intervals and ranges as PostgreSQL writes them, NULLs as null. Relations
// are left out, as they are no column. [Unmarshal] reads the result back.
func Marshal(model any) ([]byte, error) {
	v := reflect.ValueOf(model)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("jsonmodel: Marshal needs a non-nil pointer to a struct, got %T", model)
	}
	table := tables.Get(v.Type().Elem())
	strct := v.Elem()

	var b bytes.Buffer
	b.WriteByte('{')
	for i, field := range table.Fields {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(field.Name)
		b.Write(key)
		b.WriteByte(':')
		value, err := encodeField(field, strct)
		if err != nil {
			return nil, fmt.Errorf("jsonmodel: encoding %s.%s: %w", table.TypeName, field.GoName, err)
		}
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var valuerType = reflect.TypeFor[driver.Valuer]()

func encodeField(field *schema.Field, strct reflect.Value) ([]byte, error) {
	fv, ok := lookup(strct, field.Index)
	if !ok {
		return []byte("null"), nil
	}
	switch fv.Type() {
	case timeType:
		return json.Marshal(fv.Interface().(time.Time).Format(time.RFC3339Nano))
	case durationType:
		if strings.EqualFold(field.UserSQLType, "interval") {
			v, err := pgtype.Interval{Microseconds: fv.Interface().(time.Duration).Microseconds(), Valid: true}.Value()
			if err != nil {
				return nil, err
			}
			return json.Marshal(v)
		}
	}
	if isArrayField(field) || isJSONField(field) {
		return json.Marshal(fv.Interface())
	}
	if fv.Type().Implements(valuerType) || reflect.PointerTo(fv.Type()).Implements(valuerType) {
		if !fv.CanAddr() {
			cp := reflect.New(fv.Type()).Elem()
			cp.Set(fv)
			fv = cp
		}
		valuer, ok := fv.Interface().(driver.Valuer)
		if !ok {
			valuer = fv.Addr().Interface().(driver.Valuer)
		}
		dv, err := valuer.Value()
		if err != nil {
			return nil, err
		}
		return encodeDriverValue(field, dv)
	}
	if appender, ok := fv.Interface().(schema.QueryAppender); ok {
		// Ranges have no Valuer; their SQL is a quoted literal of the text
		// PostgreSQL reads and writes for them.
		lit, err := appender.AppendQuery(schema.NewNopQueryGen(), nil)
		if err != nil {
			return nil, err
		}
		return json.Marshal(unquoteLiteral(string(lit)))
	}
	if fv.Kind() == reflect.String && isNumericField(field) {
		return encodeDriverValue(field, fv.String())
	}
	return json.Marshal(fv.Interface())
}

// lookup follows a field index through embedded structs and pointers; false
// means the value is NULL: a nil pointer, slice, map or interface on the way.
func lookup(v reflect.Value, index []int) (reflect.Value, bool) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		return v.Elem(), true
	case reflect.Slice, reflect.Map, reflect.Interface:
		return v, !v.IsNil()
	}
	return v, true
}

// encodeDriverValue encodes what a Valuer returned, keeping numeric text as a
// JSON number as to_jsonb does.
func encodeDriverValue(field *schema.Field, dv driver.Value) ([]byte, error) {
	switch dv := dv.(type) {
	case nil:
		return []byte("null"), nil
	case string:
		if isNumericField(field) && json.Valid([]byte(dv)) {
			var n json.Number
			if json.Unmarshal([]byte(dv), &n) == nil {
				return []byte(n), nil
			}
		}
		return json.Marshal(dv)
	case []byte:
		if isJSONField(field) {
			return dv, nil
		}
		return json.Marshal(string(dv))
	case time.Time:
		return json.Marshal(dv.Format(time.RFC3339Nano))
	default:
		return json.Marshal(dv)
	}
}

func isNumericField(field *schema.Field) bool {
	t := strings.ToLower(field.UserSQLType)
	return strings.HasPrefix(t, "numeric") || strings.HasPrefix(t, "decimal")
}

func isJSONField(field *schema.Field) bool {
	t := strings.ToLower(field.UserSQLType)
	return t == "json" || t == "jsonb"
}

// unquoteLiteral strips the quotes of a standard SQL string literal.
func unquoteLiteral(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}
