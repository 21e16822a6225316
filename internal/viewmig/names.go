package viewmig

import (
	"runtime"
	"sync"
	"sync/atomic"
)

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

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines and returns the
// error of the lowest index that failed, so errors are deterministic too.
func parallel(n int, fn func(i int) error) error {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
