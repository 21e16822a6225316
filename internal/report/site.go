package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/models"
)

// findSite loads the site named name, or the only site when name is empty.
// A name that does not exist is answered with the closest existing one.
func findSite(ctx context.Context, db bun.IDB, name string) (*models.Site, error) {
	name = strings.TrimSpace(name)
	if name != "" {
		site := new(models.Site)
		err := db.NewSelect().Model(site).Where("name = ?", name).Scan(ctx)
		if err == nil {
			return site, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("loading site %q: %w", name, err)
		}
	}
	var sites []models.Site
	if err := db.NewSelect().Model(&sites).Order("name").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing sites: %w", err)
	}
	names := make([]string, len(sites))
	for i, s := range sites {
		names[i] = s.Name
	}
	switch {
	case name != "" && len(sites) == 0:
		return nil, fmt.Errorf("no site named %q: there are no sites yet (add one with `solarview site add`)", name)
	case name != "":
		if guess := closest(name, names); guess != "" {
			return nil, fmt.Errorf("no site named %q; did you mean %q?", name, guess)
		}
		return nil, fmt.Errorf("no site named %q (sites: %s)", name, listNames(names))
	case len(sites) == 0:
		return nil, errors.New("there are no sites yet: add one with `solarview site add` and import its data")
	case len(sites) > 1:
		return nil, fmt.Errorf("there are %d sites (%s): choose one with --site", len(sites), listNames(names))
	}
	return &sites[0], nil
}

// listNames quotes up to eight names for an error message.
func listNames(names []string) string {
	q := make([]string, 0, 9)
	for i, n := range names {
		if i == 8 {
			q = append(q, fmt.Sprintf("and %d more", len(names)-8))
			break
		}
		q = append(q, fmt.Sprintf("%q", n))
	}
	return strings.Join(q, ", ")
}

// closest returns the known name a mistyped one most likely meant: the same
// name in another case, or the one fewest edits away if that is few enough
// to be a typo (a third of the name's length, at least two). Empty if none.
func closest(name string, known []string) string {
	best, bestD := "", -1
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(k))
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	limit := max(2, len([]rune(name))/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
