package models

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Money is an amount of currency (dollars for Australian plans) counted in
// billionths of a unit. Tariff rates are stored as numeric with at most nine
// decimal places (the tariff_money domain), so every stored price is an exact
// Money, and a year of energy×rate products summed as integers stays within
// a millionth of a dollar of the exact rational total: money never drifts
// the way float64 sums of prices do. Amounts are rounded to the cent once,
// when shown.
type Money int64

// Units of Money.
const (
	Nano Money = 1
	Cent Money = 10_000_000
	Unit Money = 1_000_000_000
)

// moneyDecimals is the number of decimal places Money holds.
const moneyDecimals = 9

// ParseMoney reads a plain decimal number such as "1.10", "-0.05" or "30",
// exactly. More than nine decimal places, exponents and values beyond about
// nine billion units are refused rather than rounded.
func ParseMoney(s string) (Money, error) {
	orig := s
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("%q is not a number", orig)
			}
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > moneyDecimals {
		return 0, fmt.Errorf("%q has more than %d decimal places", orig, moneyDecimals)
	}
	frac += strings.Repeat("0", moneyDecimals-len(frac))
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/int64(Unit)-1 {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	m := Money(w)*Unit + Money(f)
	if neg {
		m = -m
	}
	return m, nil
}

// String formats m exactly, with at least two decimal places: "1.10",
// "0.28655", "-0.05".
func (m Money) String() string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = uint64(-m)
	}
	whole := u / uint64(Unit)
	frac := fmt.Sprintf("%09d", u%uint64(Unit))
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	s := strconv.FormatUint(whole, 10) + "." + frac
	if neg {
		s = "-" + s
	}
	return s
}

// RoundCents rounds m to the nearest cent, halves away from zero (as
// PostgreSQL's round(numeric, 2) does).
func (m Money) RoundCents() Money {
	c := m / Cent
	rem := m % Cent
	switch {
	case rem >= Cent/2:
		c++
	case rem <= -Cent/2:
		c--
	}
	return c * Cent
}

// Cents is m rounded to the cent, as a count of cents.
func (m Money) Cents() int64 { return int64(m.RoundCents() / Cent) }

// FormatCents formats m rounded to the cent: "12.35", "-0.40".
func (m Money) FormatCents() string {
	c := m.Cents()
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// MulFloat returns m×q rounded to the nearest nano-unit. It prices an
// energy (q in kWh, a float64 because energies are) at a rate m: the one
// rounding, at a billionth of a unit, is far below anything a bill shows.
func (m Money) MulFloat(q float64) Money {
	return Money(math.Round(float64(m) * q))
}

// Scan implements sql.Scanner for numeric columns.
func (m *Money) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*m = 0
		return nil
	case string:
		return m.parse(v)
	case []byte:
		return m.parse(string(v))
	case int64:
		*m = Money(v) * Unit
		return nil
	case float64:
		// Only reached by drivers that return numeric as float; the shortest
		// decimal that round-trips is what the database printed.
		return m.parse(strconv.FormatFloat(v, 'f', -1, 64))
	default:
		return fmt.Errorf("models.Money: cannot scan %T", src)
	}
}

func (m *Money) parse(s string) error {
	v, err := ParseMoney(s)
	if err != nil {
		return fmt.Errorf("models.Money: %w", err)
	}
	*m = v
	return nil
}

// Value implements driver.Valuer: the exact decimal text, so numeric columns
// receive exactly the stored amount.
func (m Money) Value() (driver.Value, error) { return m.String(), nil }

// MarshalJSON writes m as an exact JSON number.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a JSON number (as to_jsonb writes numeric) or a
// decimal string exactly, without going through float64.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		s = unq
	}
	return m.parse(s)
}

// ClockTime is a local wall-clock time of day, in seconds after midnight,
// from 00:00 to 24:00 inclusive (24:00 ends a window at midnight). It maps
// to PostgreSQL's time type.
type ClockTime int32

// Midnight24 is 24:00, the end of a day.
const Midnight24 ClockTime = 24 * 60 * 60

// ParseClockTime reads "HH:MM" or "HH:MM:SS", 24:00 included.
func ParseClockTime(s string) (ClockTime, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not a time", s)
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 2 && i < 2 {
			return 0, fmt.Errorf("%q is not a time", s)
		}
		if i == 2 {
			// PostgreSQL prints fractional seconds; windows use whole ones.
			p, _, _ = strings.Cut(p, ".")
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("%q is not a time", s)
		}
		n[i] = v
	}
	if n[0] > 24 || n[1] > 59 || n[2] > 59 || n[0] == 24 && (n[1] != 0 || n[2] != 0) {
		return 0, fmt.Errorf("%q is not a time", s)
	}
	return ClockTime(n[0]*3600 + n[1]*60 + n[2]), nil
}

// String formats t as "HH:MM", or "HH:MM:SS" when it has seconds.
func (t ClockTime) String() string {
	h, m, s := int(t)/3600, int(t)/60%60, int(t)%60
	if s != 0 {
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

// Scan implements sql.Scanner for time columns.
func (t *ClockTime) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	case time.Time:
		*t = ClockTime(v.Hour()*3600 + v.Minute()*60 + v.Second())
		return nil
	case nil:
		return errors.New("models.ClockTime: NULL time (use *ClockTime)")
	default:
		return fmt.Errorf("models.ClockTime: cannot scan %T", src)
	}
}

func (t *ClockTime) parse(s string) error {
	v, err := ParseClockTime(s)
	if err != nil {
		return fmt.Errorf("models.ClockTime: %w", err)
	}
	*t = v
	return nil
}

// Value implements driver.Valuer.
func (t ClockTime) Value() (driver.Value, error) {
	return fmt.Sprintf("%02d:%02d:%02d", int(t)/3600, int(t)/60%60, int(t)%60), nil
}

// MarshalJSON writes t as "HH:MM:SS", as to_jsonb writes a time.
func (t ClockTime) MarshalJSON() ([]byte, error) {
	v, _ := t.Value()
	return json.Marshal(v)
}

// UnmarshalJSON reads "HH:MM" or "HH:MM:SS".
func (t *ClockTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("models.ClockTime: %w", err)
	}
	return t.parse(s)
}
