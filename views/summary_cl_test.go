package views

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/ingest"
)

func TestControlledLoadChannelName(t *testing.T) {
	if controlledLoadChannel != ingest.ChannelControlledLoad {
		t.Errorf("summary reads controlled load from channel %q, imports store it on %q", controlledLoadChannel, ingest.ChannelControlledLoad)
	}
}

// TestSummaryControlledLoad checks summary's controlled_load and import on
// both of its paths against the NULL rules: an aligned site (one general
// import channel beside the controlled load), a site whose two general
// import channels send it down the general path, a site without
// controlled load and one with only a controlled-load import.
func TestSummaryControlledLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)
	type series struct {
		kind, channel string
		energy        string // a PostgreSQL array of four half-hours
		day           int    // of January 2024, NEM time; 0 is the 1st
	}
	sites := []struct {
		name   string
		series []series
		// want: per half-hour, "import/controlled_load/consumption"
		want string
	}{
		{"aligned", []series{
			{"import", "E1", "{100,200,NULL,0}", 0},
			{"import", "CL", "{50,NULL,70,0}", 0},
			{"export", "B1", "{0,0,0,300}", 0},
			{"generation", "generation", "{0,0,0,400}", 0},
		}, "150/50/150 200/0/200 70/70/70 0/0/100"},
		// Complete days, with the controlled-load array and without it.
		{"aligned complete", []series{
			{"import", "E1", "{100,200,0,0}", 1},
			{"import", "CL", "{50,0,70,0}", 1},
			{"import", "E1", "{10,20,30,40}", 2},
		}, "150/50/NULL 200/0/NULL 70/70/NULL 0/0/NULL 10/0/NULL 20/0/NULL 30/0/NULL 40/0/NULL"},
		{"general path", []series{
			{"import", "E1", "{100,200,NULL,0}", 0},
			{"import", "E2", "{1,2,3,NULL}", 0},
			{"import", "CL", "{50,NULL,70,0}", 0},
			{"export", "B1", "{0,0,0,300}", 0},
			// No generation at all: consumption is unknown.
		}, "151/50/NULL 202/0/NULL 73/70/NULL 0/0/NULL"},
		{"no controlled load", []series{
			{"import", "E1", "{100,200,NULL,0}", 0},
			{"export", "B1", "{0,0,0,300}", 0},
		}, "100/NULL/NULL 200/NULL/NULL 0/NULL/NULL 0/NULL/NULL"},
		{"controlled load only", []series{
			{"import", "CL", "{50,NULL,70,0}", 0},
			// The second half-hour has no reading of anything: no row.
		}, "50/50/NULL 70/70/NULL 0/0/NULL"},
	}
	for _, s := range sites {
		var id int64
		if err := db.NewRaw("INSERT INTO sites (name, timezone) VALUES (?, 'Australia/Brisbane') RETURNING id", s.name).Scan(ctx, &id); err != nil {
			t.Fatal(err)
		}
		for _, x := range s.series {
			day := max(x.day, 1)
			if _, err := db.ExecContext(ctx, "INSERT INTO energy_days (site_id, kind, start, channel, step, energy) VALUES (?, ?, ?::timestamptz, ?, '30 minutes', ?::float8[])",
				id, x.kind, fmt.Sprintf("2024-01-%02d 00:00+10", day), x.channel, x.energy); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		rows, err := db.QueryContext(ctx, `SELECT coalesce(import::text, 'NULL'), coalesce(controlled_load::text, 'NULL'), coalesce(consumption::text, 'NULL')
			FROM summary WHERE site_id = ? ORDER BY "timestamp"`, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c string
			if err := rows.Scan(&a, &b, &c); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s/%s/%s", a, b, c))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if g := strings.Join(got, " "); g != s.want {
			t.Errorf("%s: summary gives %s, want %s", s.name, g, s.want)
		}
	}
}
