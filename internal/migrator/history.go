package migrator

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/uptrace/bun/migrate"
)

// file is one migration of a history: bun/migrate's name (the timestamp)
// and comment, and the paths of its files inside the source.
type file struct {
	Name, Comment string
	UpPath        string
	DownPath      string
	// UpTx and DownTx say the files are .tx.up.sql and .tx.down.sql: run
	// in a transaction together with their record.
	UpTx, DownTx bool
}

func (f *file) label() string { return label(f.Name, f.Comment) }

func label(name, comment string) string {
	if comment == "" {
		return name
	}
	return name + "_" + comment
}

// fileRE is bun/migrate's file-name rule: a timestamp, "_", a name, ".".
var fileRE = regexp.MustCompile(`^(\d{1,14})_([0-9a-z_\-]+)\.`)

// load lists src's migrations oldest first. bun/migrate's Discover checks
// the set first (same rules, same errors as bun), so a history this package
// accepts is one bun would run too.
func load(src Source) ([]*file, error) {
	if err := migrate.NewMigrations().Discover(src.FS); err != nil {
		return nil, fmt.Errorf("reading migrations from %s: %w", src, err)
	}
	byName := map[string]*file{}
	err := fs.WalkDir(src.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		up := strings.HasSuffix(p, ".up.sql")
		if !up && !strings.HasSuffix(p, ".down.sql") {
			return nil
		}
		m := fileRE.FindStringSubmatch(path.Base(p))
		if m == nil {
			return nil // Discover has already refused it
		}
		f := byName[m[1]]
		if f == nil {
			f = &file{Name: m[1], Comment: m[2]}
			byName[m[1]] = f
		}
		if up {
			f.UpPath = p
			f.UpTx = strings.HasSuffix(p, ".tx.up.sql")
		} else {
			f.DownPath = p
			f.DownTx = strings.HasSuffix(p, ".tx.down.sql")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading migrations from %s: %w", src, err)
	}
	out := make([]*file, 0, len(byName))
	for _, f := range byName {
		if f.UpPath == "" {
			return nil, fmt.Errorf("migration %s has a down file (%s) but no up file", f.label(), src.displayPath(f.DownPath))
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// displayPath names a migration file for messages: under the source's
// directory, or under migrations/ for the embedded set.
func (s Source) displayPath(p string) string {
	if p == "" {
		return ""
	}
	if s.Dir == "" {
		return path.Join(MigrationsDir, p)
	}
	return path.Join(s.Dir, p)
}

// statements splits a migration file into what bun/migrate would send:
// blank lines dropped, one batch per "--bun:split" section. Keeping bun's
// rules means a file behaves the same whichever release applies it.
func statements(text string) ([]string, error) {
	var out []string
	var cur []byte
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	for sc.Scan() {
		b := sc.Bytes()
		if d, ok := bytes.CutPrefix(b, []byte("--bun:")); ok {
			if !bytes.Equal(d, []byte("split")) {
				return nil, fmt.Errorf("unknown directive --bun:%s", d)
			}
			if len(cur) > 0 {
				out = append(out, string(cur))
				cur = cur[:0]
			}
			continue
		}
		if len(bytes.TrimSpace(b)) > 0 {
			cur = append(cur, b...)
			cur = append(cur, '\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out, nil
}
