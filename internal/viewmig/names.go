package viewmig

// Suggest returns the candidate closest to name by edit distance, or "" when
// none is close enough to be a plausible typo (more than a third of the
// name's letters, at least 2, would have to change).
func Suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(name, c)
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	limit := len(name) / 3
	if limit < 2 {
		limit = 2
	}
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// DependencyOrder returns names ordered so that each view comes after the
// views of defs it reads (ties by name): the order in which materialized
// views must be refreshed.
func DependencyOrder(defs []*Definition, names []string) []string {
	state := make(map[string]*Definition, len(defs))
	for _, d := range defs {
		state[d.Name] = d
	}
	return topoOrder(state, names)
}
