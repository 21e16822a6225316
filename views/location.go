package views

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// modulePath is this module's import path: with -trimpath, runtime.Caller
// reports files as "<module>/views/x.go".
const modulePath = "github.com/solarview/solarview/"

var (
	rootMu    sync.Mutex
	rootCache = map[string]string{} // directory → repository root ("" for none)
)

// RepoPath returns file relative to the root of the repository holding it
// (the nearest directory upwards with a go.mod), with forward slashes, so
// that a location reads "views/summary.go" wherever solarview runs from. A
// file outside any repository is returned as it is.
func RepoPath(file string) string {
	if file == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(file, modulePath); ok {
		return rest
	}
	if !filepath.IsAbs(file) {
		return filepath.ToSlash(file)
	}
	root := repoRoot(filepath.Dir(file))
	if root == "" {
		return file
	}
	rel, err := filepath.Rel(root, file)
	if err != nil {
		return file
	}
	return filepath.ToSlash(rel)
}

func repoRoot(dir string) string {
	rootMu.Lock()
	defer rootMu.Unlock()
	if r, ok := rootCache[dir]; ok {
		return r
	}
	root := ""
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			root = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	rootCache[dir] = root
	return root
}

// panicSite describes where a recovered panic happened: the innermost frame
// outside the Go runtime, Bun and this package's own rendering, as
// " (at views/x.go:12)", or "" when none is found.
func panicSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		fn := f.Function
		switch {
		case strings.HasPrefix(fn, "runtime."),
			strings.Contains(fn, "github.com/uptrace/bun"),
			strings.HasSuffix(fn, "views.View.SQL"),
			strings.Contains(fn, "views.View.SQL.func"),
			strings.Contains(fn, "internal/subquery."):
		default:
			if f.File != "" {
				return " (at " + RepoPath(f.File) + ":" + strconv.Itoa(f.Line) + ")"
			}
		}
		if !more {
			return ""
		}
	}
}
