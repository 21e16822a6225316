package ingest

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParseScaled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		scale int
		want  float64
	}{
		{"0", 3, 0},
		{"1832.51", 3, 1832510},
		{"0.48200000000000004", 3, 482.00000000000004},
		{".02", 3, 20},
		{"1.", 0, 1},
		{"+2.5", 0, 2.5},
		{"-2.5", 3, -2500},
		{"1e-05", 3, 0.01},
		{"1E3", 0, 1000},
		{"001000.0", 0, 1000},
		{"0.000", 6, 0},
		{"12345678901234567890123", 0, 12345678901234567890123},
		{"0.1", 0, 0.1},
		{"4.444", 3, 4444},
		{"123.456", 6, 123456000},
	}
	for _, tt := range tests {
		got, err := parseScaled([]byte(tt.in), tt.scale)
		if err != nil {
			t.Errorf("parseScaled(%q, %d): %v", tt.in, tt.scale, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseScaled(%q, %d) = %v, want %v", tt.in, tt.scale, got, tt.want)
		}
	}
	for _, bad := range []string{"", "-", ".", "e3", "1e", "1e+", "1.2.3", "NaN", "Inf", "0x10", "1_000", " 1", "1 ", "1,5", "1e99999"} {
		if got, err := parseScaled([]byte(bad), 0); err == nil {
			t.Errorf("parseScaled(%q) = %v, want an error", bad, got)
		}
	}
}

// FuzzParseScaled checks parseScaled against strconv: wherever both accept
// a plain decimal, they agree to the last bit.
func FuzzParseScaled(f *testing.F) {
	for _, s := range []string{"1832.51", ".02", "1e-05", "0.48200000000000004", "99999999999999999999.5"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, scale int) {
		scale %= 10
		got, err := parseScaled([]byte(s), scale)
		if err != nil {
			return
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			t.Fatalf("parseScaled(%q) accepted what strconv refuses", s)
		}
		if strings.ContainsAny(s, "eE") {
			return // the exponents would need adding; covered by the table test
		}
		want, err := strconv.ParseFloat(s+"e"+strconv.Itoa(scale), 64)
		if err != nil || math.IsInf(want, 0) {
			return
		}
		if got != want {
			t.Fatalf("parseScaled(%q, %d) = %v, strconv says %v", s, scale, got, want)
		}
	})
}
