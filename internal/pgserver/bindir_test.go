package pgserver

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fakeBinDir(t *testing.T, dir string, names ...string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	lib := filepath.Join(root, "usr/lib/postgresql")
	for _, v := range []string{"9.6", "10", "15"} {
		fakeBinDir(t, filepath.Join(lib, v, "bin"), "initdb", "postgres")
	}
	fakeBinDir(t, filepath.Join(lib, "16", "bin"), "psql") // client only: not a server
	globs := []string{filepath.Join(lib, "*", "bin")}

	// A PATH entry symlinking initdb into a server directory resolves to it.
	linked := fakeBinDir(t, filepath.Join(root, "opt/pg/bin"), "initdb", "postgres")
	onPath := filepath.Join(root, "local/bin")
	if err := os.MkdirAll(onPath, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(linked, "initdb"), filepath.Join(onPath, "initdb")); err != nil {
		t.Fatal(err)
	}
	emptyDir := t.TempDir()

	for _, tc := range []struct {
		name string
		spec searchSpec
		want string
	}{
		{"newest version", searchSpec{path: emptyDir, globs: globs}, filepath.Join(lib, "15", "bin")},
		{"PATH first, symlink resolved", searchSpec{path: emptyDir + ":" + onPath, globs: globs}, linked},
	} {
		got, err := findBinDir(tc.spec)
		if err != nil || got != tc.want {
			t.Errorf("%s: findBinDir = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestBinariesNotFound(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	_, err := findBinDir(searchSpec{path: empty, globs: []string{filepath.Join(empty, "*", "bin")}})
	if !errors.Is(err, ErrBinariesNotFound) {
		t.Fatalf("err = %v, want ErrBinariesNotFound", err)
	}
	for _, want := range []string{"initdb", "apt-get install postgresql", "brew install postgresql"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans several lines: %q", err)
	}
	if _, err := New(Options{DataDir: filepath.Join(empty, "pg"), BinDir: empty}); !errors.Is(err, ErrBinariesNotFound) {
		t.Errorf("New with a BinDir lacking the server: err = %v, want ErrBinariesNotFound", err)
	}
}

func TestVersionOrder(t *testing.T) {
	t.Parallel()
	paths := []string{
		"/usr/lib/postgresql/9.6/bin",
		"/opt/homebrew/opt/postgresql@14/bin",
		"/usr/lib/postgresql/16/bin",
		"/usr/lib/postgresql/10/bin",
	}
	sortNewestFirst(paths)
	want := []string{
		"/usr/lib/postgresql/16/bin",
		"/opt/homebrew/opt/postgresql@14/bin",
		"/usr/lib/postgresql/10/bin",
		"/usr/lib/postgresql/9.6/bin",
	}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("sorted %v, want %v", paths, want)
	}
}

// PSQL takes the psql beside the server's binaries over the one on PATH,
// and PATH's when there is none beside them.
func TestPSQL(t *testing.T) {
	withPSQL := fakeBinDir(t, filepath.Join(t.TempDir(), "server"), "initdb", "postgres", "psql")
	without := fakeBinDir(t, filepath.Join(t.TempDir(), "server"), "initdb", "postgres")
	onPath := fakeBinDir(t, filepath.Join(t.TempDir(), "bin"), "psql")
	t.Setenv("PATH", onPath)
	for _, tc := range []struct{ binDir, want string }{
		{withPSQL, filepath.Join(withPSQL, "psql")},
		{without, filepath.Join(onPath, "psql")},
		{"", filepath.Join(onPath, "psql")},
	} {
		if got, err := PSQL(tc.binDir); err != nil || got != tc.want {
			t.Errorf("PSQL(%q) = %q, %v; want %q", tc.binDir, got, err, tc.want)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if got, err := PSQL(without); err == nil {
		t.Errorf("PSQL with no psql anywhere = %q; want an error", got)
	}
}
