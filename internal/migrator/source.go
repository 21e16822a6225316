package migrator

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/solarview/solarview/migrations"
)

// ModulePath is the Go module whose checkout counts as a solarview project
// when [Resolve] looks for one.
const ModulePath = "github.com/solarview/solarview"

// MigrationsDir is the project's migrations directory, relative to its root.
const MigrationsDir = "migrations"

// Origin says where a [Source] was found.
type Origin int

const (
	// Embedded is the set compiled into the running binary.
	Embedded Origin = iota
	// Project is the migrations/ directory of the project around the
	// working directory.
	Project
	// Flag is a directory the user named (--dir).
	Flag
)

// Source is one migration history: the files every command of a run reads.
// migrate, rollback, showmigrations, check and makemigrations all get theirs
// from [Resolve], so they can never disagree about what "the migrations" are.
type Source struct {
	// FS holds the migration files at its top level.
	FS fs.FS
	// Dir is the directory FS reads, as a path usable from the working
	// directory; empty for [Embedded].
	Dir string
	// Root is the project's root directory (absolute) for [Project].
	Root string
	// Origin says how the source was chosen.
	Origin Origin
}

// EmbeddedSource is the history compiled into the binary.
func EmbeddedSource() Source { return Source{FS: migrations.FS, Origin: Embedded} }

// DirSource reads the migration files in dir.
func DirSource(dir string) Source { return Source{FS: os.DirFS(dir), Dir: dir, Origin: Flag} }

// String describes the source for people: showmigrations prints it.
func (s Source) String() string {
	switch s.Origin {
	case Project:
		return fmt.Sprintf("%s (the project at %s)", s.Dir, s.Root)
	case Flag:
		return s.Dir + " (--dir)"
	default:
		return "the migrations built into this binary"
	}
}

// Label names the directory in messages that must not depend on where
// solarview runs (makemigrations and check): relative to the project root for
// [Project] and [Embedded] ("migrations"), as given for [Flag].
func (s Source) Label() string {
	if s.Origin == Flag {
		return s.Dir
	}
	return MigrationsDir
}

// Resolve returns the history a command reads. A non-empty dir (--dir) must
// be a directory and is used as is. Otherwise the project is looked for from
// the working directory upwards (see [FindProject]); its migrations/ wins, so
// a file that makemigrations just wrote is applied without rebuilding the
// binary. Outside any project, the migrations built into the binary are used.
func Resolve(dir string) (Source, error) {
	if dir != "" {
		st, err := os.Stat(dir)
		switch {
		case err == nil && !st.IsDir():
			return Source{}, fmt.Errorf("%s is not a directory", dir)
		case errors.Is(err, fs.ErrNotExist):
			return Source{}, fmt.Errorf("migrations directory %s not found", dir)
		case err != nil:
			return Source{}, err
		}
		return DirSource(dir), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return EmbeddedSource(), nil
	}
	return ResolveFrom(wd), nil
}

// ResolveFrom is [Resolve] without --dir, looking for the project from start
// (an absolute directory) instead of the working directory.
func ResolveFrom(start string) Source {
	root, ok := FindProject(start)
	if !ok {
		return EmbeddedSource()
	}
	abs := filepath.Join(root, MigrationsDir)
	dir := abs
	// Show the directory as the user would type it from where they are.
	if rel, err := filepath.Rel(start, abs); err == nil {
		dir = rel
	}
	return Source{FS: os.DirFS(abs), Dir: dir, Root: root, Origin: Project}
}

// FindProject looks for a solarview checkout at start or above it: the
// nearest directory holding a go.mod whose module is [ModulePath] and a
// migrations/ directory. The module check keeps solarview from taking some
// other Go project's migrations/ (written for another database) as its own.
func FindProject(start string) (string, bool) {
	dir := filepath.Clean(start)
	for {
		if isProject(dir) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func isProject(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, MigrationsDir))
	if err != nil || !st.IsDir() {
		return false
	}
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if mod, ok := strings.CutPrefix(line, "module"); ok && mod != line && (mod == "" || mod[0] == ' ' || mod[0] == '\t') {
			mod, _, _ = strings.Cut(mod, "//")
			mod = strings.Trim(strings.TrimSpace(mod), `"`)
			return mod == ModulePath
		}
	}
	return false
}
