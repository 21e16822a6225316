package migrator

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// ProblemKind says how an applied migration disagrees with the history.
type ProblemKind string

const (
	// Changed: the up file's SQL changed in substance since it was applied.
	Changed ProblemKind = "changed"
	// Unknown: the database applied a migration this history lacks.
	Unknown ProblemKind = "unknown"
)

// Problem is one applied migration that the history no longer matches.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Migration is the migration's label ("20261121000001_foundation"), or
	// its timestamp alone for [Unknown] (bun_migrations keeps no more).
	Migration string `json:"migration"`
	// File is the up file, for [Changed].
	File string `json:"file,omitempty"`
	// Recorded and Current are the checksums, for [Changed].
	Recorded string `json:"recorded,omitempty"`
	Current  string `json:"current,omitempty"`
}

// String is the problem in one line.
func (p Problem) String() string {
	switch p.Kind {
	case Changed:
		return fmt.Sprintf("migration %s was applied, and %s has changed since (checksum %s, recorded %s): restore it, and put the change in a new migration", p.Migration, p.File, short(p.Current), short(p.Recorded))
	default:
		return fmt.Sprintf("migration %s is applied to the database but is not in this history", p.Migration)
	}
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// Validate compares the applied migrations of db with the history src, as
// Flyway's validate does, and writes nothing. It reports every applied
// migration whose up file changed in substance (see [sqlsum.Of]; a recorded
// checksum the file names in a "replaces-checksum" header is accepted), and
// every applied migration the history lacks. An applied migration with no
// recorded checksum (applied by a release before checksums) is not a problem:
// the next migrate records it.
func Validate(ctx context.Context, db bun.IConn, src Source) ([]Problem, error) {
	st, err := newState(ctx, db, src)
	if err != nil {
		return nil, err
	}
	return st.validate()
}

func (st *state) validate() ([]Problem, error) {
	var out []Problem
	for _, f := range st.files {
		r := st.applied[f.Name]
		if r == nil || !r.Checksum.Valid {
			continue
		}
		text, sum, err := st.upSQL(f)
		if err != nil {
			return nil, err
		}
		if !matches(r.Checksum.String, sum, text) {
			out = append(out, Problem{Kind: Changed, Migration: f.label(), File: st.src.displayPath(f.UpPath), Recorded: r.Checksum.String, Current: sum})
		}
	}
	for _, r := range st.unknown {
		out = append(out, Problem{Kind: Unknown, Migration: r.Name})
	}
	return out, nil
}

// UnknownError is returned by [Up] and [Rollback] when the database holds
// applied migrations the history lacks: a newer binary or another branch
// migrated it, and going on could undo or redo the wrong things. The CLI
// exits 2 on it.
type UnknownError struct {
	Names  []string // bun_migrations names (timestamps), oldest first
	Source Source
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("the database has applied migrations that are not in this history (%s): %s; nothing was changed. Run solarview from the project, or with a binary, that has them",
		e.Source, strings.Join(e.Names, ", "))
}

// ChangedError is returned by [Up] when an applied migration's file has
// changed since it was applied.
type ChangedError struct {
	Problems []Problem
}

func (e *ChangedError) Error() string {
	var parts []string
	for _, p := range e.Problems {
		parts = append(parts, fmt.Sprintf("%s (checksum %s, recorded %s)", p.File, short(p.Current), short(p.Recorded)))
	}
	verb := "has changed since it was"
	if len(parts) > 1 {
		verb = "have changed since they were"
	}
	return fmt.Sprintf("refusing to migrate: %s %s applied; nothing was changed. Restore the applied SQL and put the change in a new migration",
		strings.Join(parts, ", "), verb)
}
