package pgserver

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrBinariesNotFound reports that no directory holding the PostgreSQL server
// binaries (initdb and postgres) was found.
var ErrBinariesNotFound = errors.New("PostgreSQL server binaries (initdb, postgres) not found; install them: " +
	"apt-get install postgresql (Debian/Ubuntu), dnf install postgresql-server (Fedora/RHEL), " +
	"brew install postgresql@15 (macOS), or put their directory on PATH")

// searchSpec is where [FindBinDir] looks; tests replace it to control the
// machine's apparent layout.
type searchSpec struct {
	path     string   // PATH-style list of directories
	pgConfig bool     // ask pg_config --bindir (found on path)
	globs    []string // directory patterns, each sorted newest version first
}

// defaultSearch lists the places PostgreSQL packages put their server binaries:
// Debian/Ubuntu (/usr/lib/postgresql/N/bin, not on PATH), the PGDG RPMs
// (/usr/pgsql-N/bin), Homebrew on Apple silicon and Intel, and Postgres.app.
func defaultSearch() searchSpec {
	return searchSpec{
		path:     os.Getenv("PATH"),
		pgConfig: true,
		globs: []string{
			"/usr/lib/postgresql/*/bin",
			"/usr/pgsql-*/bin",
			"/opt/homebrew/opt/postgresql@*/bin",
			"/opt/homebrew/opt/postgresql/bin",
			"/opt/homebrew/bin",
			"/usr/local/opt/postgresql@*/bin",
			"/usr/local/opt/postgresql/bin",
			"/usr/local/bin",
			"/Applications/Postgres.app/Contents/Versions/*/bin",
		},
	}
}

// PSQL returns the psql to run against a server whose binaries are in
// binDir: the one beside them, of the same version, when there is one,
// else the first on PATH. binDir may be empty.
func PSQL(binDir string) (string, error) {
	if binDir != "" {
		if p := filepath.Join(binDir, "psql"); isExecutable(p) {
			return p, nil
		}
	}
	return exec.LookPath("psql")
}

// FindBinDir returns the directory holding the PostgreSQL server binaries:
// the one initdb on PATH resolves to, then pg_config --bindir, then the
// packagers' standard locations, newest major version first. It returns an
// error wrapping [ErrBinariesNotFound] if there is none.
func FindBinDir() (string, error) {
	return findBinDir(defaultSearch())
}

func findBinDir(s searchSpec) (string, error) {
	for _, dir := range filepath.SplitList(s.path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "initdb")
		if !isExecutable(p) {
			continue
		}
		// Resolve symlinks such as /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb,
		// so that BinDir also finds the matching psql and postgres.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if d := filepath.Dir(real); hasServerBinaries(d) {
				return d, nil
			}
		}
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	if s.pgConfig {
		if d := pgConfigBinDir(s.path); d != "" && hasServerBinaries(d) {
			return d, nil
		}
	}
	for _, pattern := range s.globs {
		matches, _ := filepath.Glob(pattern)
		sortNewestFirst(matches)
		for _, d := range matches {
			if hasServerBinaries(d) {
				return d, nil
			}
		}
	}
	return "", ErrBinariesNotFound
}

// pgConfigBinDir asks the pg_config found on path for its bindir. On Debian
// pg_config comes with libpq-dev and may name a directory without a server,
// so the caller still checks for the binaries.
func pgConfigBinDir(path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "pg_config")
		if !isExecutable(p) {
			continue
		}
		out, err := exec.Command(p, "--bindir").Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	return ""
}

// hasServerBinaries reports whether dir holds both programs solarview runs.
func hasServerBinaries(dir string) bool {
	return isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres"))
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// sortNewestFirst orders paths by the first version number in them,
// descending, so /usr/lib/postgresql/16/bin beats 9.6 and 15.
func sortNewestFirst(paths []string) {
	sort.SliceStable(paths, func(i, j int) bool {
		return versionLess(versionOf(paths[j]), versionOf(paths[i]))
	})
}

// versionOf extracts the dotted number sequence following the last "postgresql@",
// "postgresql/", "pgsql-" or "Versions/" in p, e.g. [9 6] from
// /usr/lib/postgresql/9.6/bin. Paths without one sort last.
func versionOf(p string) []int {
	for _, marker := range []string{"postgresql@", "postgresql/", "pgsql-", "Versions/"} {
		i := strings.LastIndex(p, marker)
		if i < 0 {
			continue
		}
		rest := p[i+len(marker):]
		end := strings.IndexFunc(rest, func(r rune) bool { return r != '.' && (r < '0' || r > '9') })
		if end >= 0 {
			rest = rest[:end]
		}
		var v []int
		for _, part := range strings.Split(rest, ".") {
			n, err := strconv.Atoi(part)
			if err != nil {
				break
			}
			v = append(v, n)
		}
		if len(v) > 0 {
			return v
		}
	}
	return nil
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}
