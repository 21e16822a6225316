package ingest

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

var (
	errNumber = errors.New("not a number")
	errRange  = errors.New("number out of range")
)

// maxSitePower bounds the average power, in watts, that one interval of one
// meter can plausibly record: 100 MW, which no household and hardly any
// single connection point reaches (a household peaks at tens of kilowatts,
// a large commercial site at a few megawatts). A value beyond it is a unit
// or digit error (kWh read as Wh, a stray exponent), and storing it would
// swamp every total it joins, so the parsers refuse it.
const maxSitePower = 100e6

// maxSitePowerText is maxSitePower for messages.
const maxSitePowerText = "100 MW"

// maxRegisterEnergy bounds a cumulative register reading, in Wh: 10 TWh,
// more than maxSitePower running for eleven years.
const maxRegisterEnergy = 1e13

// maxIntervalEnergy is the most energy, in Wh, one interval of length d can
// hold: maxSitePower for all of d.
func maxIntervalEnergy(d time.Duration) float64 {
	return maxSitePower * d.Hours()
}

// whText writes an energy bound for messages.
func whText(wh float64) string {
	switch {
	case wh >= 1e9:
		return strconv.FormatFloat(wh/1e9, 'g', 4, 64) + " GWh"
	case wh >= 1e6:
		return strconv.FormatFloat(wh/1e6, 'g', 4, 64) + " MWh"
	case wh >= 1e3:
		return strconv.FormatFloat(wh/1e3, 'g', 4, 64) + " kWh"
	}
	return strconv.FormatFloat(wh, 'g', 4, 64) + " Wh"
}

// parseScaled parses a decimal number such as "1832.51", ".02" or "1e-05"
// and multiplies it by 10^scale, rounding once: the result is the float64
// nearest to the exact decimal product. Converting kWh to Wh this way keeps
// "1832.51" kWh at exactly 1832510 Wh instead of 1832510.0000000002, so sums
// in the database match sums of the file's decimals.
//
// It accepts an optional sign, digits with at most one decimal point and an
// optional exponent; nothing else (no NaN, Inf, hex, spaces or underscores).
func parseScaled(b []byte, scale int) (float64, error) {
	i := 0
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	// The value is digits × 10^exp, digits without leading zeros.
	var stack [32]byte
	digits := stack[:0]
	exp := 0
	sawDigit, sawDot := false, false
loop:
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigit = true
			if sawDot {
				exp--
			}
			if len(digits) == 0 && c == '0' {
				continue
			}
			if len(digits) == maxDigits {
				return 0, errNumber
			}
			digits = append(digits, c)
		case c == '.' && !sawDot:
			sawDot = true
		default:
			break loop
		}
	}
	if !sawDigit {
		return 0, errNumber
	}
	if i < len(b) {
		if b[i] != 'e' && b[i] != 'E' {
			return 0, errNumber
		}
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return 0, errNumber
		}
		e := 0
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' {
				return 0, errNumber
			}
			if e < 100000 {
				e = e*10 + int(c-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	exp += scale
	if len(digits) == 0 {
		if neg {
			return math.Copysign(0, -1), nil
		}
		return 0, nil
	}
	var f float64
	if len(digits) <= 15 && exp >= -22 && exp <= 22 {
		// Up to 15 digits fit a float64 mantissa exactly, and so do these
		// powers of ten: one IEEE operation then rounds correctly.
		var mant uint64
		for _, c := range digits {
			mant = mant*10 + uint64(c-'0')
		}
		f = float64(mant)
		if exp >= 0 {
			f *= pow10[exp]
		} else {
			f /= pow10[-exp]
		}
	} else {
		// Rare: long mantissas or large exponents. strconv rounds correctly
		// when given every digit with the exponent adjusted.
		buf := append(digits, 'e')
		buf = strconv.AppendInt(buf, int64(exp), 10)
		var err error
		f, err = strconv.ParseFloat(string(buf), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, errNumber
		}
		if math.IsInf(f, 0) {
			return 0, errRange
		}
	}
	if neg {
		f = -f
	}
	return f, nil
}

// maxDigits bounds the significant digits of a number: no meter writes
// more, and the bound keeps a hostile file from costing memory.
const maxDigits = 100
