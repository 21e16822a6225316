package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns the path of ../shared/data/<rel> next to the module
// root, skipping the test when the data is not there.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("%s: no go.mod above the test directory", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s: ../shared/data/%s not found", rel, rel)
	}
	return p
}

// sharedGlob lists ../shared/data files matching pattern, skipping the test
// when there are none.
func sharedGlob(t testing.TB, dir, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(sharedData(t, dir), pattern))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no %s in ../shared/data/%s", pattern, dir)
	}
	return files
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
