// Package jsonmodel turns a row that PostgreSQL rendered as JSON — with
// to_jsonb(row), or subquery.ToJSONB — back into the typed Bun model the row
// came from.
//
// It is how one query returns a related object that Bun's relations cannot
// join, such as "each sensor with its latest reading" or "each site with its
// current billing period": the related row travels as one jsonb column and is
// rebuilt here, with no second round trip. It is also how rows of different
// models that share one jsonb column (the tariff_components view) become
// their own Go types again.
//
// Keys are matched to columns through Bun's own field metadata (the bun tag's
// column name, including alt names and embedded structs), and each value is
// handed to the same scanner Bun would use for that field, after converting
// it from its JSON form: timestamps with their offsets, dates, numerics
// (kept digit for digit in string and decimal fields), intervals, ranges,
// arrays, nested JSON and NULLs (nil pointers). Keys that are not columns of
// the model are kept in [Extra], so a view that adds a column does not break
// decoding and a caller that wants strictness can check for them.
//
// Use [Field] as a struct field scanned by Bun (or database/sql), [Decode]
// when the model type is known at compile time, and [Unmarshal] when it is
// chosen at run time, as a registry keyed by model name does.
package jsonmodel

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"
)

// tables holds Bun's metadata for models without a database connection:
// a dialect owns a table registry, and PostgreSQL's decides the SQL types
// (and so the array and range scanners) exactly as a real *bun.DB would.
var tables = pgdialect.New().Tables()

// Extra holds the JSON keys of a row that are not columns of the model,
// with their raw values.
type Extra map[string]json.RawMessage

// Keys returns the extra keys, sorted.
func (e Extra) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Field is a jsonb column holding one row of model T, for use as a field of a
// Bun model or a scan destination:
//
//	type SensorWithLatest struct {
//		models.Sensor `bun:",extend"`
//		Latest jsonmodel.Field[models.Reading] `bun:"latest,type:jsonb"`
//	}
//
// Model is nil when the column is NULL (a subquery that found no row).
// Extra holds keys that are not columns of T.
type Field[T any] struct {
	Model *T
	Extra Extra
}

// Scan decodes a to_jsonb value; NULL gives a nil Model.
func (f *Field[T]) Scan(src any) error {
	f.Model, f.Extra = nil, nil
	var data []byte
	switch src := src.(type) {
	case nil:
		return nil
	case []byte:
		data = src
	case string:
		data = []byte(src)
	default:
		return fmt.Errorf("jsonmodel: cannot scan %T into Field[%s]", src, reflect.TypeFor[T]())
	}
	model, extra, err := Decode[T](data)
	if err != nil {
		return err
	}
	f.Model, f.Extra = model, extra
	return nil
}

// Value encodes Model as a JSON object keyed by column names, in the form
// to_jsonb produces, so it can be stored in a jsonb column or turned back
// into a row with jsonb_populate_record. A nil Model is NULL. Extra is not
// written: it belongs to no column of T.
func (f Field[T]) Value() (driver.Value, error) {
	if f.Model == nil {
		return nil, nil
	}
	return Marshal(f.Model)
}

// Decode builds a T from a JSON object with T's column names as keys. JSON
// null gives a nil model.
func Decode[T any](data []byte) (*T, Extra, error) {
	if isNull(data) {
		return nil, nil, nil
	}
	model := new(T)
	extra, err := Unmarshal(data, model)
	if err != nil {
		return nil, nil, err
	}
	return model, extra, nil
}

// Unmarshal fills model, a pointer to a Bun model struct, from a JSON object
// with the model's column names as keys. Columns missing from the object are
// left as they are; keys that are not columns are returned in Extra (nil
// when there are none).
func Unmarshal(data []byte, model any) (Extra, error) {
	v := reflect.ValueOf(model)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("jsonmodel: Unmarshal needs a non-nil pointer to a struct, got %T", model)
	}
	table := tables.Get(v.Type().Elem())
	var object map[string]json.RawMessage
	if err := json.Unmarshal(data, &object); err != nil {
		return nil, fmt.Errorf("jsonmodel: decoding %s: %w", table.TypeName, err)
	}
	if object == nil {
		return nil, fmt.Errorf("jsonmodel: decoding %s: got null, not an object", table.TypeName)
	}

	keys := make([]string, 0, len(object))
	for k := range object {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first error reported does not depend on map order

	var extra Extra
	strct := v.Elem()
	for _, key := range keys {
		raw := object[key]
		field := table.FieldMap[key]
		if field == nil {
			if extra == nil {
				extra = Extra{}
			}
			extra[key] = raw
			continue
		}
		if err := scanField(field, strct, raw); err != nil {
			return nil, fmt.Errorf("jsonmodel: column %q into %s.%s: %w",
				key, table.TypeName, field.GoName, err)
		}
	}
	return extra, nil
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// scanField converts one JSON value to what a database driver would hand Bun
// for the column, and lets Bun's scanner for the field take it from there.
func scanField(field *schema.Field, strct reflect.Value, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return errors.New("empty value")
	}
	if isNull(raw) {
		return field.ScanValue(strct, nil)
	}

	switch raw[0] {
	case '{', '[':
		if isArrayField(field) {
			// PostgreSQL arrays come as JSON arrays, not as the array
			// literals Bun's array scanner parses.
			dest := field.Value(strct)
			if dest.Kind() == reflect.Pointer {
				dest.Set(reflect.New(dest.Type().Elem()))
				dest = dest.Elem()
			}
			return json.Unmarshal(raw, dest.Addr().Interface())
		}
		// jsonb columns: Bun's JSON scanners take the raw text.
		return field.ScanValue(strct, []byte(raw))
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		switch field.IndirectType {
		case timeType:
			t, err := parseTime(s)
			if err != nil {
				return err
			}
			return field.ScanValue(strct, t)
		case durationType:
			d, err := parseInterval(s)
			if err != nil {
				return err
			}
			return field.ScanValue(strct, int64(d))
		}
		return field.ScanValue(strct, s)
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
		return field.ScanValue(strct, b)
	default:
		// A number: hand over its exact text, so numeric(6,3) 21.500 stays
		// "21.500" in a string or decimal field; Bun parses it for integer
		// and float fields.
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return err
		}
		return field.ScanValue(strct, string(n))
	}
}

// isArrayField reports whether field is a PostgreSQL array column.
func isArrayField(field *schema.Field) bool {
	return field.Tag.HasOption("array") || strings.HasSuffix(field.UserSQLType, "[]")
}

func isNull(data []byte) bool {
	return string(bytes.TrimSpace(data)) == "null"
}

// parseTime reads the timestamps to_jsonb writes: timestamptz as RFC 3339
// with its offset, timestamp without one (taken as UTC, as Bun does), and
// date alone (midnight UTC).
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp or date", s)
}

// parseInterval reads an interval as to_jsonb writes it ("00:30:00",
// "1 day 02:00:00") into a duration; an interval of months has none.
func parseInterval(s string) (time.Duration, error) {
	var iv pgtype.Interval
	if err := iv.Scan(s); err != nil {
		return 0, fmt.Errorf("interval %q: %w (solarview reads IntervalStyle postgres)", s, err)
	}
	if iv.Months != 0 {
		return 0, fmt.Errorf("interval %q has no fixed length", s)
	}
	return time.Duration(iv.Days)*24*time.Hour + time.Duration(iv.Microseconds)*time.Microsecond, nil
}
