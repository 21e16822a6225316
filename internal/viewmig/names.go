package viewmig

import (
	"runtime"
	"sync"
	"sync/atomic"
)

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
