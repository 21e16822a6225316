package viewmig

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/solarview/solarview/views"
)

// DriftKind says how a view differs between code and migrations.
type DriftKind string

// The kinds of drift.
const (
	// Changed: the view exists on both sides with different definitions.
	Changed DriftKind = "changed"
	// OnlyInCode: a registered view no migration creates.
	OnlyInCode DriftKind = "only_in_code"
	// OnlyInMigrations: a view the migrations create that code does not
	// register (any more).
	OnlyInMigrations DriftKind = "only_in_migrations"
)

// Drift is one view whose code and latest migration disagree.
type Drift struct {
	View string    `json:"view"`
	Kind DriftKind `json:"kind"`
	// Diff is a unified diff from the migrations' definition to the
	// code's, both pretty-printed (empty for OnlyIn* kinds).
	Diff string `json:"diff,omitempty"`
	// Migration is where the migrations last defined the view.
	Migration *Source `json:"migration,omitempty"`
	// Code is where the view is registered, when known.
	Code *Source `json:"code,omitempty"`
}

// Message is a one-line description of the drift.
func (d Drift) Message() string {
	switch d.Kind {
	case OnlyInCode:
		return fmt.Sprintf("view %s is defined in code but no migration creates it: run `solarview makemigrations`", d.View)
	case OnlyInMigrations:
		return fmt.Sprintf("view %s exists in the migrations but not in code: run `solarview makemigrations` to drop it", d.View)
	default:
		return fmt.Sprintf("view %s differs from its latest migration: run `solarview makemigrations`", d.View)
	}
}

// Compare returns the drift between the views defined in code and the
// history, sorted by view name. It needs no database.
func Compare(code []*Definition, h *History) ([]Drift, error) {
	out := []Drift{}
	inCode := map[string]bool{}
	for _, c := range code {
		inCode[c.Name] = true
		m := h.Views[c.Name]
		if m == nil {
			out = append(out, Drift{View: c.Name, Kind: OnlyInCode, Code: sourcePtr(c.Source)})
			continue
		}
		if sameQuery(c, m) && sameIndexes(c, m) && c.Comment == m.Comment {
			continue
		}
		diff, err := diffDefinitions(m, c)
		if err != nil {
			return nil, err
		}
		out = append(out, Drift{View: c.Name, Kind: Changed, Diff: diff, Migration: sourcePtr(m.Source), Code: sourcePtr(c.Source)})
	}
	for name, m := range h.Views {
		if !inCode[name] {
			out = append(out, Drift{View: name, Kind: OnlyInMigrations, Migration: sourcePtr(m.Source)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].View < out[j].View })
	return out, nil
}

// diffDefinitions is a unified diff of two definitions' pretty SQL.
func diffDefinitions(from, to *Definition) (string, error) {
	a, err := from.CreateSQL(false)
	if err != nil {
		return "", err
	}
	b, err := to.CreateSQL(false)
	if err != nil {
		return "", err
	}
	if from.Comment != "" {
		a += commentSQL(from, from.Comment)
	}
	if to.Comment != "" {
		b += commentSQL(to, to.Comment)
	}
	return unified("migrations/"+from.Name, "code/"+to.Name, a, b), nil
}

// unified is a unified diff of two texts, each ending in a newline.
func unified(fromLabel, toLabel, a, b string) string {
	if !strings.HasSuffix(a, "\n") {
		a += "\n"
	}
	if !strings.HasSuffix(b, "\n") {
		b += "\n"
	}
	return udiff.Unified(fromLabel, toLabel, a, b)
}

func sourcePtr(s Source) *Source {
	if s.File == "" {
		return nil
	}
	return &s
}

// Check compares the views vs with the migrations in fsys (dir names it in
// messages). An error means the check could not be made (a migration or a
// view does not parse); its message names the file and line when known.
func Check(vs []views.View, fsys fs.FS, dir string) ([]Drift, error) {
	h, err := ReadHistory(fsys, dir)
	if err != nil {
		return nil, err
	}
	code, err := FromViews(vs)
	if err != nil {
		return nil, err
	}
	return Compare(code, h)
}
