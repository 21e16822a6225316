package tariff

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/models"
)

// A holiday file (`solarview holidays import FILE`) is CSV, one holiday a
// line: date (YYYY-MM-DD), name and, optionally, the region that observes
// it:
//
//	date,name,region
//	2025-01-01,New Year's Day
//	2025-01-27,Australia Day
//	2025-03-10,Labour Day,VIC
//	2025-03-10,Adelaide Cup Day,SA
//
// A first line starting with "date" is a header; blank lines and lines
// starting with # are skipped. A holiday without a region applies
// everywhere; a region is an Australian state or territory code (see
// [StateZones]) or an IANA time zone, and a site observes the holidays of
// its time zone's state.

// HolidayRow is one holiday read from a file.
type HolidayRow struct {
	Date   time.Time
	Name   string
	Region string
	// Line is the row's line in the file, for messages.
	Line int
}

// StateZones lists, per Australian state and territory code, the time
// zones whose sites observe its public holidays.
var StateZones = map[string][]string{
	"NSW": {"Australia/Sydney", "Australia/NSW", "Australia/Broken_Hill", "Australia/Yancowinna"},
	"ACT": {"Australia/Canberra", "Australia/ACT"},
	"VIC": {"Australia/Melbourne", "Australia/Victoria"},
	"QLD": {"Australia/Brisbane", "Australia/Queensland", "Australia/Lindeman"},
	"SA":  {"Australia/Adelaide", "Australia/South"},
	"WA":  {"Australia/Perth", "Australia/West", "Australia/Eucla"},
	"TAS": {"Australia/Hobart", "Australia/Tasmania", "Australia/Currie"},
	"NT":  {"Australia/Darwin", "Australia/North"},
}

// HolidayRegions lists the regions whose holidays a site in zone observes:
// everywhere (""), its state if it has one, and the zone itself.
func HolidayRegions(zone string) []string {
	out := []string{""}
	for state, zones := range StateZones {
		if contains(zones, zone) {
			out = append(out, state)
		}
	}
	return append(out, zone)
}

// ParseHolidays reads a holiday file. Errors name the line: "line 4: ...".
// The same date and region twice is an error: one of the two would be
// silently lost.
func ParseHolidays(r io.Reader) ([]HolidayRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var out []HolidayRow
	seen := map[string]int{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d: %v", pe.Line, pe.Err)
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if first && strings.EqualFold(strings.TrimSpace(rec[0]), "date") {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fmt.Errorf("line %d: want date,name[,region], got %d fields", line, len(rec))
		}
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fmt.Errorf("line %d: %q is not a date (YYYY-MM-DD)", line, rec[0])
		}
		row := HolidayRow{Date: d, Name: strings.TrimSpace(rec[1]), Line: line}
		if row.Name == "" {
			return nil, fmt.Errorf("line %d: the holiday has no name", line)
		}
		if len(rec) == 3 {
			row.Region = strings.TrimSpace(rec[2])
			if err := checkRegion(row.Region); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		}
		key := d.Format(time.DateOnly) + "/" + row.Region
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("line %d: %s%s is already on line %d", line, d.Format(time.DateOnly), regionSuffix(row.Region), prev)
		}
		seen[key] = line
		out = append(out, row)
	}
	if len(out) == 0 {
		return nil, errors.New("no holidays in the file")
	}
	return out, nil
}

func regionSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " in " + r
}

// checkRegion accepts a state code or a time zone.
func checkRegion(r string) error {
	if _, ok := StateZones[r]; ok || r == "" {
		return nil
	}
	if strings.Contains(r, "/") {
		if _, err := time.LoadLocation(r); err == nil {
			return nil
		}
	}
	states := make([]string, 0, len(StateZones))
	for s := range StateZones {
		states = append(states, s)
	}
	sort.Strings(states)
	return fmt.Errorf("region %q is not a state (%s) or a time zone", r, strings.Join(states, ", "))
}

// HolidayImport says what importing a holiday file changed.
type HolidayImport struct {
	Added, Renamed, Unchanged int
}

// ImportHolidays stores rows in one transaction: all or nothing. A holiday
// already stored for the same date and region is left alone when its name
// is the same and renamed otherwise, so importing a file twice changes
// nothing.
func ImportHolidays(ctx context.Context, db *bun.DB, rows []HolidayRow) (HolidayImport, error) {
	var res HolidayImport
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var existing []models.PublicHoliday
		if err := tx.NewSelect().Model(&existing).For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		names := map[string]string{}
		for _, h := range existing {
			names[h.Date.Format(time.DateOnly)+"/"+h.Region] = h.Name
		}
		var changed []models.PublicHoliday
		for _, r := range rows {
			name, ok := names[r.Date.Format(time.DateOnly)+"/"+r.Region]
			switch {
			case !ok:
				res.Added++
			case name != r.Name:
				res.Renamed++
			default:
				res.Unchanged++
				continue
			}
			changed = append(changed, models.PublicHoliday{Date: r.Date, Region: r.Region, Name: r.Name})
		}
		if len(changed) == 0 {
			return nil
		}
		_, err := tx.NewInsert().Model(&changed).
			On("CONFLICT (date, region) DO UPDATE").
			Set("name = EXCLUDED.name").
			Exec(ctx)
		return err
	})
	if err != nil {
		return HolidayImport{}, fmt.Errorf("importing holidays: %w", err)
	}
	return res, nil
}

// LoadHolidays loads the calendar of a site in zone: the holidays of every
// region it observes ([HolidayRegions]).
func LoadHolidays(ctx context.Context, db bun.IDB, zone string) (*Holidays, error) {
	var rows []models.PublicHoliday
	err := db.NewSelect().Model(&rows).
		Where("public_holiday.region IN (?)", bun.In(HolidayRegions(zone))).
		Order("public_holiday.date").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading public holidays: %w", err)
	}
	dates := make([]time.Time, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		dates[i], names[i] = r.Date, r.Name
	}
	return NewHolidays(dates, names), nil
}
