package ingest

import (
	"testing"
	"time"
)

func TestResolveLocal(t *testing.T) {
	t.Parallel()
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name   string
		wall   wallClock
		prev   time.Time
		want   time.Time
		result localResult
	}{
		{"winter", wallClock{2011, 7, 1, 0, 30, 0, 0}, time.Time{}, utc("2011-06-30T14:30:00Z"), localUnique},
		{"summer", wallClock{2012, 1, 1, 12, 0, 0, 0}, time.Time{}, utc("2012-01-01T01:00:00Z"), localUnique},
		{"gap as DST starts", wallClock{2011, 10, 2, 2, 30, 0, 0}, time.Time{}, time.Time{}, localMissing},
		{"first 2:30 as DST ends", wallClock{2012, 4, 1, 2, 30, 0, 0}, utc("2012-03-31T15:00:00Z"), utc("2012-03-31T15:30:00Z"), localAmbiguous},
		{"second 2:30 as DST ends", wallClock{2012, 4, 1, 2, 30, 0, 0}, utc("2012-03-31T16:00:00Z"), utc("2012-03-31T16:30:00Z"), localAmbiguous},
		{"just after the repeated hour", wallClock{2012, 4, 1, 3, 0, 0, 0}, time.Time{}, utc("2012-03-31T17:00:00Z"), localUnique},
	}
	for _, tt := range tests {
		got, res := resolveLocal(tt.wall, syd, tt.prev)
		if res != tt.result || (tt.result != localMissing && !got.Equal(tt.want)) {
			t.Errorf("%s: resolveLocal = %v, %v; want %v, %v", tt.name, got.UTC(), res, tt.want, tt.result)
		}
	}
}
