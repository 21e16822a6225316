package models

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Money
		str  string
		err  bool
	}{
		{in: "1.10", want: 1_100_000_000, str: "1.10"},
		{in: "0.28655", want: 286_550_000, str: "0.28655"},
		{in: "-0.05", want: -50_000_000, str: "-0.05"},
		{in: "+3", want: 3 * Unit, str: "3.00"},
		{in: ".5", want: Unit / 2, str: "0.50"},
		{in: "0.000000001", want: 1, str: "0.000000001"},
		{in: "0.1000000000000", want: Unit / 10, str: "0.10"},
		{in: "0.0000000001", err: true},
		{in: "1e3", err: true},
		{in: "", err: true},
		{in: "-", err: true},
		{in: ".", err: true},
		{in: "1.2.3", err: true},
		{in: "99999999999", err: true},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParseMoney(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.str {
			t.Errorf("Money(%d).String() = %q, want %q", got, got.String(), tt.str)
		}
	}
}

func TestMoneyRoundCents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"1.005", "1.01"},
		{"1.004999999", "1.00"},
		{"-1.005", "-1.01"},
		{"-1.004999999", "-1.00"},
		{"0.004", "0.00"},
		{"-0.006", "-0.01"},
		{"12.345", "12.35"},
	}
	for _, tt := range tests {
		m, err := ParseMoney(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.FormatCents(); got != tt.want {
			t.Errorf("%s rounded to the cent = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMoneyScanAndJSON(t *testing.T) {
	t.Parallel()
	var m Money
	for _, src := range []any{"0.30", []byte("0.30"), 0.3} {
		if err := m.Scan(src); err != nil || m != 300_000_000 {
			t.Errorf("Scan(%#v) = %d, %v", src, m, err)
		}
	}
	var v struct{ A, B Money }
	if err := json.Unmarshal([]byte(`{"A": 0.1234567, "B": "2.5"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 123_456_700 || v.B != 2_500_000_000 {
		t.Errorf("JSON decode = %+v", v)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"A":0.1234567,"B":2.50}` {
		t.Errorf("JSON encode = %s", b)
	}
	if err := m.Scan("0.1234567891"); err == nil {
		t.Errorf("Scan accepted 10 decimal places")
	}
}

func TestClockTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want ClockTime
		err  bool
	}{
		{in: "00:00", want: 0},
		{in: "07:30", want: 7*3600 + 30*60},
		{in: "14:00:00", want: 14 * 3600},
		{in: "23:59:59.000000", want: 86399},
		{in: "24:00", want: Midnight24},
		{in: "24:00:00", want: Midnight24},
		{in: "25:00", err: true},
		{in: "24:01", err: true},
		{in: "12:60", err: true},
		{in: "noon", err: true},
		{in: "12", err: true},
		{in: "123:00", err: true},
	}
	for _, tt := range tests {
		got, err := ParseClockTime(tt.in)
		if (err != nil) != tt.err || !tt.err && got != tt.want {
			t.Errorf("ParseClockTime(%q) = %d, %v", tt.in, got, err)
		}
	}
	var c ClockTime
	if err := c.Scan(time.Date(0, 1, 1, 6, 15, 0, 0, time.UTC)); err != nil || c.String() != "06:15" {
		t.Errorf("Scan(time.Time) = %s, %v", c, err)
	}
	if v, _ := Midnight24.Value(); v != "24:00:00" {
		t.Errorf("Value(24:00) = %v", v)
	}
}
