package models

import (
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Interval is a PostgreSQL interval column held as a Go duration (meter
// interval lengths: minutes, never months). pgx's pgtype.Interval does the
// reading and writing; this type only converts, refusing intervals of months,
// which no duration can hold.
type Interval time.Duration

// Value writes the duration in a form PostgreSQL reads as an interval.
func (d Interval) Value() (driver.Value, error) {
	return pgtype.Interval{Microseconds: time.Duration(d).Microseconds(), Valid: true}.Value()
}

// Scan reads an interval as PostgreSQL writes it.
func (d *Interval) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		src = string(b)
	}
	var iv pgtype.Interval
	if err := iv.Scan(src); err != nil {
		return fmt.Errorf("models.Interval: %w", err)
	}
	if !iv.Valid || iv.Months != 0 {
		return fmt.Errorf("models.Interval: %v is not a fixed length of time", src)
	}
	*d = Interval(time.Duration(iv.Days)*24*time.Hour + time.Duration(iv.Microseconds)*time.Microsecond)
	return nil
}

// Duration returns d as a time.Duration.
func (d Interval) Duration() time.Duration { return time.Duration(d) }
