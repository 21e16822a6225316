package models

import (
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/solarview/solarview/internal/pginterval"
)

// Interval is a PostgreSQL interval column held as a Go duration (meter
// interval lengths: minutes, never months).
type Interval time.Duration

// Value writes the duration in a form PostgreSQL reads as an interval.
func (d Interval) Value() (driver.Value, error) {
	return pginterval.Format(time.Duration(d)), nil
}

// Scan reads an interval as PostgreSQL writes it.
func (d *Interval) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("models.Interval: cannot scan %T", src)
	}
	parsed, err := pginterval.Parse(s)
	if err != nil {
		return err
	}
	*d = Interval(parsed)
	return nil
}

// Duration returns d as a time.Duration.
func (d Interval) Duration() time.Duration { return time.Duration(d) }
