// Package names checks the names people give solarview's records (sites,
// tariffs, retailers) and the National Metering Identifiers of sites, makes
// text safe to print on a terminal, and answers a name that matches nothing
// with the closest existing one ([NotFoundError], [Suggest]).
//
// A name ends up in table output, error messages and file names of reports,
// so a name holding an escape sequence could repaint or retitle the user's
// terminal, and one of 100,000 characters would wreck every table. The same
// rules are CHECK constraints on the tables (migration
// 20261127130000_name_checks), so nothing that bypasses the CLI stores what
// it would refuse; [Check] exists to say why in words before the database does.
package names

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLength is the longest name accepted, in characters. Retail plan names
// in the Consumer Data Right run to about 80; 200 leaves room and still
// fits a table.
const MaxLength = 200

// Check refuses a name that is empty (after trimming spaces), longer than
// [MaxLength] characters, not UTF-8, or holding a character a terminal
// would act on rather than print (see [IsUnsafe]). kind ("site", "tariff",
// "retailer") goes into the message.
func Check(kind, name string) error {
	if !utf8.ValidString(name) {
		return fmt.Errorf("%s name %s is not valid UTF-8", kind, Quote(name))
	}
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%s name must not be empty", kind)
	}
	if n := utf8.RuneCountInString(name); n > MaxLength {
		return fmt.Errorf("%s name is %d characters long; the limit is %d", kind, n, MaxLength)
	}
	for _, r := range name {
		if IsUnsafe(r) {
			return fmt.Errorf("%s name %s holds the control character %U; names may hold only printable characters", kind, Quote(name), r)
		}
	}
	return nil
}

// IsUnsafe reports whether r is a character solarview never stores in a
// name and never prints raw: C0 and C1 control characters (ESC starts
// terminal escape sequences, U+009B is a one-byte CSI), DEL, the line and
// paragraph separators, and the bidirectional overrides and isolates, which
// make a name display as something else.
//
// The migration's CHECK constraints list the same ranges.
func IsUnsafe(r rune) bool {
	switch {
	case unicode.IsControl(r): // U+0000–U+001F, U+007F–U+009F
		return true
	case r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// Quote quotes s for a message like %q does, but in ASCII (%+q) when s holds
// a character IsUnsafe reports or invalid UTF-8: %q prints printable
// formatting characters such as U+202E raw, which would still reorder the
// message on screen.
func Quote(s string) string {
	for _, r := range s {
		if IsUnsafe(r) || r == utf8.RuneError {
			return fmt.Sprintf("%+q", s)
		}
	}
	return fmt.Sprintf("%q", s)
}

// NMI normalises and checks a National Metering Identifier as AEMO's NMI
// procedure defines it: exactly 10 characters, digits and upper-case letters
// except O and I (left out so they are never confused with 0 and 1). Lower
// case is accepted and upper-cased. An 11th character is taken as the
// checksum printed on bills: it is checked and dropped.
func NMI(s string) (string, error) {
	nmi := strings.ToUpper(strings.TrimSpace(s))
	if len(nmi) == 11 && isNMIChars(nmi[:10]) {
		want := nmiChecksum(nmi[:10])
		if nmi[10] != want {
			return "", fmt.Errorf("NMI %s: its 11th character is a checksum and should be %c; check the NMI on your bill", Quote(s), want)
		}
		nmi = nmi[:10]
	}
	if len(nmi) != 10 || !isNMIChars(nmi) {
		return "", fmt.Errorf("NMI %s is not an NMI: it has 10 letters and digits (no O or I), e.g. 6001234567", Quote(s))
	}
	return nmi, nil
}

func isNMIChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' && c != 'O' && c != 'I') {
			return false
		}
	}
	return true
}

// nmiChecksum is AEMO's Luhn-like NMI check digit: from the right, every
// second character's ASCII code doubled, the decimal digits of all codes
// summed, and the digit that brings the sum to a multiple of 10.
func nmiChecksum(nmi string) byte {
	sum := 0
	double := true
	for i := len(nmi) - 1; i >= 0; i-- {
		v := int(nmi[i])
		if double {
			v *= 2
		}
		double = !double
		for ; v > 0; v /= 10 {
			sum += v % 10
		}
	}
	return byte('0' + (10-sum%10)%10)
}
