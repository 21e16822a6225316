// Package testfiles finds the real data files that solarview's tests read
// (an Ausgrid household year, NEM12 examples, malformed NEM12 files). They
// are kept in this package's testdata directory, with their sources and
// licences in its README, so that a clone of the repository alone runs
// every test: a missing file fails the test that wanted it instead of
// skipping it.
//
// Only tests import this package.
package testfiles

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// dir is the testdata directory beside this file. The compiler records this
// file's absolute path, so the answer does not depend on the directory a
// test runs in.
var dir = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "testdata"
	}
	return filepath.Join(filepath.Dir(file), "testdata")
}()

// Path returns the path of testdata file or directory rel (slash-separated,
// e.g. "nem12/invalid"), failing the test when it does not exist.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test data %s is missing: %v", rel, err)
	}
	return p
}

// Glob lists the testdata files in directory rel matching pattern, sorted,
// failing the test when there are none.
func Glob(t testing.TB, rel, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Path(t, rel), pattern))
	if err != nil {
		t.Fatal(err)
	}
	var regular []string
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			regular = append(regular, f)
		}
	}
	if len(regular) == 0 {
		t.Fatalf("no test data matches %s/%s", rel, pattern)
	}
	sort.Strings(regular)
	return regular
}

// Ausgrid is the path of the Ausgrid household year
// (ausgrid/customer12-2011-2012.csv).
func Ausgrid(t testing.TB) string {
	t.Helper()
	return Path(t, "ausgrid/customer12-2011-2012.csv")
}
