// A name that matches nothing — a site, tariff or view typed by hand — is
// answered in one style everywhere: what was not found, the closest
// existing name when it looks like a typo, else a few of the names that do
// exist, and what to do when there are none.

package names

import (
	"fmt"
	"strings"
)

// NotFoundError says that no Kind named Name exists. Its message suggests
// the closest of Known (see [Suggest]) or lists some of them.
type NotFoundError struct {
	// Kind is what was looked for, singular: "site", "tariff", "view".
	Kind string
	// Name is the name given.
	Name string
	// Known lists the names that do exist.
	Known []string
	// Hint says how to make one, for when none exists yet, e.g. "add one
	// with `solarview site add NAME`".
	Hint string
}

// maxListed caps the names an error lists when it has no suggestion.
const maxListed = 8

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no %s named %s", e.Kind, Quote(e.Name))
	if len(e.Known) == 0 {
		msg += fmt.Sprintf(": there are no %ss yet", e.Kind)
		if e.Hint != "" {
			msg += " (" + e.Hint + ")"
		}
		return msg
	}
	if s := Suggest(e.Name, e.Known); s != "" {
		return msg + fmt.Sprintf("; did you mean %s?", Quote(s))
	}
	return msg + fmt.Sprintf(" (%ss: %s)", e.Kind, List(e.Known))
}

// List quotes up to eight names for a message, saying how many more there
// are.
func List(names []string) string {
	q := make([]string, 0, maxListed+1)
	for i, n := range names {
		if i == maxListed {
			q = append(q, fmt.Sprintf("and %d more", len(names)-maxListed))
			break
		}
		q = append(q, Quote(n))
	}
	return strings.Join(q, ", ")
}

// Suggest returns the candidate a mistyped name most likely meant: one equal
// to it but for letter case, else the one fewest edits away if few enough
// for a typo: a third of the name's length, at least two. An edit is a
// character added, removed or changed, or two neighbours swapped; case is
// ignored, and so is the difference between the separators '-', '_' and ' '
// (names reach the shell as demo-tou as often as "Demo TOU"). Ties go to the
// alphabetically first. It returns "" when nothing is that close.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	key := fold(name)
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
		d := editDistance(key, fold(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(key)/3) {
		return ""
	}
	return best
}

// fold is a name as Suggest compares it: lower case, one separator.
func fold(s string) []rune {
	r := []rune(strings.ToLower(s))
	for i, c := range r {
		if c == '-' || c == ' ' {
			r[i] = '_'
		}
	}
	return r
}

// editDistance counts the edits Suggest allows (optimal string alignment:
// Levenshtein plus swaps of adjacent characters).
func editDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
