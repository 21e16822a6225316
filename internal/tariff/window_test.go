package tariff

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/solarview/solarview/models"
)

func TestWindowContains(t *testing.T) {
	t.Parallel()
	at := func(day time.Weekday, hhmm string, md int16) Clock {
		c, err := models.ParseClockTime(hhmm)
		if err != nil {
			t.Fatal(err)
		}
		return Clock{Weekday: day, Second: int32(c), MonthDay: md}
	}
	tests := []struct {
		name string
		w    models.TariffWindow
		in   []Clock
		out  []Clock
	}{
		{
			name: "always",
			w:    models.TariffWindow{},
			in:   []Clock{at(time.Sunday, "00:00", 101), at(time.Wednesday, "23:59", 1231)},
		},
		{
			name: "weekday afternoon",
			w:    win(t, weekdays, "14:00", "20:00"),
			in:   []Clock{at(time.Monday, "14:00", 101), at(time.Friday, "19:59", 615)},
			out:  []Clock{at(time.Monday, "13:59", 101), at(time.Monday, "20:00", 101), at(time.Saturday, "15:00", 101)},
		},
		{
			name: "wraps past midnight, judged on the instant's own weekday",
			w:    win(t, weekdays, "22:00", "07:00"),
			in:   []Clock{at(time.Monday, "00:00", 101), at(time.Monday, "06:59", 101), at(time.Friday, "23:00", 101)},
			out:  []Clock{at(time.Monday, "07:00", 101), at(time.Saturday, "03:00", 101), at(time.Sunday, "23:00", 101)},
		},
		{
			name: "ends at 24:00",
			w:    win(t, nil, "20:00", "24:00"),
			in:   []Clock{at(time.Sunday, "23:59", 101)},
			out:  []Clock{at(time.Sunday, "00:00", 101), at(time.Sunday, "19:59", 101)},
		},
		{
			name: "season over new year",
			w:    win(t, nil, "", "", "11-01", "03-31"),
			in:   []Clock{at(time.Monday, "12:00", 1101), at(time.Monday, "12:00", 101), at(time.Monday, "12:00", 331)},
			out:  []Clock{at(time.Monday, "12:00", 401), at(time.Monday, "12:00", 1031)},
		},
		{
			name: "season within a year",
			w:    win(t, []int16{6, 7}, "", "", "06-01", "08-31"),
			in:   []Clock{at(time.Saturday, "12:00", 601), at(time.Sunday, "12:00", 831)},
			out:  []Clock{at(time.Saturday, "12:00", 531), at(time.Saturday, "12:00", 901), at(time.Friday, "12:00", 701)},
		},
	}
	for _, tt := range tests {
		w, err := CompileWindow(tt.w)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, c := range tt.in {
			if !w.Contains(c) {
				t.Errorf("%s (%s): should contain %+v", tt.name, w, c)
			}
		}
		for _, c := range tt.out {
			if w.Contains(c) {
				t.Errorf("%s (%s): should not contain %+v", tt.name, w, c)
			}
		}
	}
}

func TestWindowString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		w    models.TariffWindow
		want string
	}{
		{models.TariffWindow{}, "all times"},
		{win(t, weekdays, "14:00", "20:00"), "Mon–Fri 14:00–20:00"},
		{win(t, []int16{6, 7}, "", ""), "Sat, Sun"},
		{win(t, []int16{1, 3, 4, 5, 7}, "22:00", "07:00", "11-01", "03-31"), "Mon, Wed–Fri, Sun 22:00–07:00, 11-01 to 03-31"},
		{win(t, nil, "", "", "06-01", "08-31"), "06-01 to 08-31"},
	}
	for _, tt := range tests {
		w, err := CompileWindow(tt.w)
		if err != nil {
			t.Fatal(err)
		}
		if got := w.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestCompileWindowErrors(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	c := func(v models.ClockTime) *models.ClockTime { return &v }
	tests := []struct {
		w    models.TariffWindow
		want string
	}{
		{models.TariffWindow{Weekdays: []int16{}}, "weekdays: empty"},
		{models.TariffWindow{Weekdays: []int16{0}}, "weekdays: 0 is not an ISO weekday"},
		{models.TariffWindow{StartTime: c(3600)}, "give both or neither"},
		{models.TariffWindow{StartTime: c(3600), EndTime: c(3600)}, "both 01:00"},
		{models.TariffWindow{StartTime: c(models.Midnight24), EndTime: c(3600)}, "start_time: 24:00"},
		{models.TariffWindow{SeasonStart: s("02-30"), SeasonEnd: s("03-01")}, `season_start: "02-30" is not a MM-DD day`},
		{models.TariffWindow{SeasonStart: s("01-01")}, "season_start and season_end"},
	}
	for _, tt := range tests {
		_, err := CompileWindow(tt.w)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CompileWindow(%+v) = %v, want an error containing %q", tt.w, err, tt.want)
		}
	}
}

func TestCheckCoverage(t *testing.T) {
	t.Parallel()
	weekend := []int16{6, 7}
	tests := []struct {
		name  string
		comps []Component
		want  string // "" for valid
	}{
		{
			name:  "flat",
			comps: []Component{supply(t, "1"), usage(t, "", "0.3", models.TariffWindow{}), feedIn(t, "", "0.05", models.TariffWindow{})},
		},
		{
			name:  "no usage rate at all is allowed",
			comps: []Component{supply(t, "1")},
		},
		{
			name: "time of use covering the week",
			comps: []Component{
				usage(t, "Peak", "0.5", win(t, weekdays, "14:00", "20:00")),
				usage(t, "Shoulder", "0.25", win(t, weekdays, "07:00", "14:00")),
				usage(t, "Shoulder", "0.25", win(t, weekdays, "20:00", "22:00")),
				usage(t, "Off-peak", "0.15", win(t, weekdays, "22:00", "07:00")),
				usage(t, "Weekend", "0.15", win(t, weekend, "", "")),
				feedIn(t, "Evening", "0.10", win(t, nil, "16:00", "21:00")),
				feedIn(t, "Day", "0.02", win(t, nil, "21:00", "16:00")),
			},
		},
		{
			name: "rates on local and NEM time",
			comps: []Component{
				usage(t, "Peak", "0.5", nemWin(win(t, nil, "14:00", "20:00"))),
				usage(t, "Rest", "0.2", win(t, nil, "20:00", "14:00")),
			},
			want: "rates mix windows on local time and on NEM time; keep a tariff's rates on one clock",
		},
		{
			name: "a weekday rate priced on holidays too",
			comps: []Component{
				usage(t, "Weekday", "0.5", win(t, weekdays, "", "")),
				usage(t, "Weekend", "0.2", holidayWin(win(t, weekend, "", ""), models.HolidaysInclude)),
			},
			want: `usage rate "Weekday" and usage rate "Weekend" overlap on a public holiday on a Mon 00:00–24:00; usage rates must not overlap`,
		},
		{
			name: "holidays as days of their own",
			comps: []Component{
				usage(t, "Weekday", "0.5", holidayWin(win(t, weekdays, "", ""), models.HolidaysExclude)),
				usage(t, "Weekend", "0.2", holidayWin(win(t, weekend, "", ""), models.HolidaysInclude)),
			},
		},
		{
			name: "seasons covering the year",
			comps: []Component{
				usage(t, "Summer", "0.4", win(t, nil, "", "", "11-01", "03-31")),
				usage(t, "Winter", "0.2", win(t, nil, "", "", "04-01", "10-31")),
			},
		},
		{
			name: "gap on weekends",
			comps: []Component{
				usage(t, "Weekdays", "0.3", win(t, weekdays, "", "")),
			},
			want: "no usage rate covers Sat 00:00–24:00",
		},
		{
			name: "gap in the evening",
			comps: []Component{
				usage(t, "Day", "0.3", win(t, nil, "07:00", "20:00")),
				usage(t, "Night", "0.1", win(t, nil, "21:00", "07:00")),
			},
			want: "no usage rate covers Mon 20:00–21:00",
		},
		{
			name: "overlap",
			comps: []Component{
				usage(t, "", "0.3", models.TariffWindow{}),
				usage(t, "Peak", "0.5", win(t, weekdays, "14:00", "20:00")),
			},
			want: `usage rate "Peak" overlap on Mon 14:00–20:00`,
		},
		{
			name: "gap between seasons",
			comps: []Component{
				usage(t, "Summer", "0.4", win(t, nil, "", "", "11-01", "03-31")),
				usage(t, "Winter", "0.2", win(t, nil, "", "", "04-02", "10-31")),
			},
			want: "no usage rate covers Mon 00:00–24:00 from 04-01",
		},
		{
			name: "feed-in overlap",
			comps: []Component{
				feedIn(t, "", "0.05", models.TariffWindow{}),
				feedIn(t, "Evening", "0.10", win(t, nil, "16:00", "21:00")),
			},
			want: "feed-in rates must not overlap",
		},
	}
	for _, tt := range tests {
		err := CheckCoverage(tt.comps)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestTariffValidate(t *testing.T) {
	t.Parallel()
	err := (&Tariff{Name: "Empty"}).Validate()
	if !errors.Is(err, ErrNoComponents) {
		t.Errorf("no components: %v", err)
	}
	err = (&Tariff{Name: "Bad", Components: []Component{usage(t, "", "-0.1", models.TariffWindow{})}}).Validate()
	if err == nil || !strings.Contains(err.Error(), "rate -0.10 is negative") {
		t.Errorf("negative rate: %v", err)
	}
	d := demand(t, "", "0.1", "month", models.TariffWindow{})
	if err := d.Validate(); err == nil || !strings.Contains(err.Error(), `measured_over "month"`) {
		t.Errorf("bad measured_over: %v", err)
	}
}

func nemWin(w models.TariffWindow) models.TariffWindow {
	w.NEMTime = true
	return w
}

func holidayWin(w models.TariffWindow, rule string) models.TariffWindow {
	w.PublicHolidays = &rule
	return w
}
