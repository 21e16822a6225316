package commands

import (
	"math"
	"strings"
	"testing"

	"github.com/solarview/solarview/models"
)

func TestParseQuantities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		parse func(string) (float64, error)
		in    string
		want  float64
		err   string
	}{
		{parseEnergy, "13.5kWh", 13500, ""},
		{parseEnergy, "13500Wh", 13500, ""},
		{parseEnergy, " 13.5 kWh ", 13500, ""},
		{parseEnergy, "13.5KWH", 13500, ""},
		{parseEnergy, "0.02MWh", 20000, ""},
		{parseEnergy, "-5kWh", -5000, ""}, // the battery configuration refuses it, with its own words
		{parseEnergy, "13.5", 0, "has no unit"},
		{parseEnergy, "13.5kW", 0, `unknown unit "kW"`},
		{parseEnergy, "kWh", 0, "want a number with a unit"},
		{parseEnergy, "1.2.3kWh", 0, `"1.2.3" is not a number`},
		{parsePower, "5kW", 5000, ""},
		{parsePower, "500W", 500, ""},
		{parsePower, "5kWh", 0, `unknown unit "kWh"`},
		{parsePower, "5", 0, "has no unit"},
	}
	for _, tt := range tests {
		got, err := tt.parse(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseEnergyList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []float64
		err  string
	}{
		{"5kWh,10kWh,13.5kWh", []float64{5000, 10000, 13500}, ""},
		{"5, 10, 13.5kWh", []float64{5000, 10000, 13500}, ""},
		{"500Wh,2,3kWh", []float64{500, 2000, 3000}, ""},
		{"5kWh,10", nil, "has no unit"},
		{"5kWh,,10kWh", nil, "empty item"},
	}
	for _, tt := range tests {
		got, err := parseEnergyList(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}

func TestParsePrice(t *testing.T) {
	t.Parallel()
	m := func(s string) models.Money {
		v, err := models.ParseMoney(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		in        string
		forWh     float64
		want, str string
		err       string
	}{
		{"5000", 13500, "5000", "5000.00", ""},
		{"650/kWh", 13500, "8775", "650.00/kWh", ""},
		{"2000+500/kWh", 10000, "7000", "2000.00+500.00/kWh", ""},
		{"2000 + 500/KWH", 5000, "4500", "2000.00+500.00/kWh", ""},
		{"cheap", 0, "", "", `price "cheap"`},
		{"-5", 0, "", "", "must not be negative"},
		{"", 0, "", "", "empty price"},
	}
	for _, tt := range tests {
		p, err := parsePrice(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || p.For(tt.forWh) != m(tt.want) || p.String() != tt.str {
			t.Errorf("%q: %v (%s), for %v Wh %s; want %s (%s)", tt.in, err, p, tt.forWh, p.For(tt.forWh), tt.want, tt.str)
		}
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"0.05": 0.05, "5%": 0.05, " 7.5 % ": 0.075, "0": 0} {
		if got, err := parseRate(in); err != nil || math.Abs(got-want) > 1e-15 {
			t.Errorf("%q = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"5", "100%", "-1%", "x", "NaN"} {
		if _, err := parseRate(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestParseEfficiency(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"0.9": 0.9, "90%": 0.9, " 1 ": 1, "100 %": 1} {
		if got, err := parseEfficiency(in); err != nil || math.Abs(got-want) > 1e-15 {
			t.Errorf("%q = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{"0": "must be in (0, 1]", "1.2": "must be in (0, 1]", "-0.5": "must be in (0, 1]",
		"90": "must be in (0, 1]", "x": "want a fraction", "NaN": "want a fraction"} {
		if _, err := parseEfficiency(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: error %v, want one containing %q", in, err, msg)
		}
	}
}
