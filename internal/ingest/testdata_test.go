package ingest

import (
	"testing"

	"github.com/solarview/solarview/internal/testfiles"
)

// sharedData returns the path of the real test data file or directory rel
// (see package testfiles), failing the test when it is missing.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	return testfiles.Path(t, rel)
}

// sharedGlob lists the real test data files in dir matching pattern, failing
// the test when there are none.
func sharedGlob(t testing.TB, dir, pattern string) []string {
	t.Helper()
	return testfiles.Glob(t, dir, pattern)
}

// readAll drains a Source, copying its rows.
func readAll(t testing.TB, src Source) ([]Row, error) {
	t.Helper()
	var rows []Row
	for src.Next() {
		rows = append(rows, *src.Row())
	}
	return rows, src.Err()
}
