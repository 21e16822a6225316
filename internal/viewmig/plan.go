package viewmig

import (
	"fmt"
	"sort"
	"strings"
)

// Column is one output column of a view, as PostgreSQL's catalog describes
// it after planning the view's query.
type Column struct {
	Name string `json:"name"`
	// Type is format_type(atttypid, atttypmod), e.g. "numeric(6,3)".
	Type string `json:"type"`
	// Collation is the column's collation name, "" for none or default.
	Collation string `json:"collation,omitempty"`
}

// replaceable reports whether PostgreSQL's CREATE OR REPLACE VIEW can turn a
// view with columns old into one with columns new: every old column must
// keep its position, name, type and collation; new columns may only be
// appended. When it cannot, why says which column stands in the way.
func replaceable(old, new []Column) (ok bool, why string) {
	for i, o := range old {
		if i >= len(new) {
			return false, fmt.Sprintf("column %s is dropped", o.Name)
		}
		n := new[i]
		switch {
		case o.Name != n.Name:
			if indexOfColumn(new, o.Name) >= 0 {
				return false, fmt.Sprintf("column %s moves (columns are reordered)", o.Name)
			}
			if indexOfColumn(old, n.Name) < 0 && len(new) == len(old) {
				return false, fmt.Sprintf("column %s is renamed to %s", o.Name, n.Name)
			}
			return false, fmt.Sprintf("column %s is dropped or renamed", o.Name)
		case o.Type != n.Type:
			return false, fmt.Sprintf("column %s changes type from %s to %s", o.Name, o.Type, n.Type)
		case o.Collation != n.Collation:
			return false, fmt.Sprintf("column %s changes collation from %q to %q", o.Name, o.Collation, n.Collation)
		}
	}
	return true, ""
}

func indexOfColumn(cols []Column, name string) int {
	for i, c := range cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// plan is the set of statements that turn the views of one state into
// another, with a reason per view.
type plan struct {
	drops       []*Definition // in order: dependents first
	dropIndexes []IndexDef    // index-only changes
	creates     []createStep  // in dependency order
	addIndexes  []IndexDef    // index-only changes
	comments    []commentStep // after the creates and the restore
	keep        []string      // views dropped and created again
	reasons     map[string]string
	// ifExists drops with IF EXISTS, for migrations that must apply from
	// more than one state (makemigrations --merge).
	ifExists bool
}

type commentStep struct {
	def     *Definition
	comment string
}

type createStep struct {
	def     *Definition
	replace bool
}

// empty reports whether the plan changes nothing.
func (p *plan) empty() bool {
	return len(p.drops)+len(p.dropIndexes)+len(p.creates)+len(p.addIndexes)+len(p.comments) == 0
}

// buildPlan computes how to go from the views of state from (whose output
// columns are fromCols) to those of state to (columns toCols):
//
//   - a view only in to is created; a view only in from is dropped;
//   - a changed plain view whose columns PostgreSQL can replace in place is
//     replaced with CREATE OR REPLACE VIEW;
//   - any other changed view (a column dropped, renamed, moved or retyped,
//     or any change to a materialized view, which has no OR REPLACE) is
//     dropped and created again;
//   - every view that reads a dropped view, directly or transitively, is
//     dropped first and created again after it (with its definition in
//     to), because PostgreSQL will not drop a view others depend on;
//   - a materialized view whose query is unchanged but whose indexes changed
//     only has those indexes dropped and created.
//
// Drops run dependents first (ordered by from's dependencies), creations in
// dependency order (by to's). Ties are broken by name, so the plan is a
// function of its inputs.
func buildPlan(from, to map[string]*Definition, fromCols, toCols map[string][]Column) (*plan, error) {
	p := &plan{reasons: map[string]string{}}
	drop := map[string]bool{}
	replace := map[string]bool{}
	create := map[string]bool{}
	var indexOnly []string

	for _, name := range unionNames(from, to) {
		f, t := from[name], to[name]
		switch {
		case f == nil:
			create[name] = true
			p.reasons[name] = "new " + strings.ToLower(t.kind())
		case t == nil:
			drop[name] = true
			p.reasons[name] = "removed"
		case !sameQuery(f, t):
			switch {
			case f.Materialized != t.Materialized:
				drop[name] = true
				p.reasons[name] = fmt.Sprintf("changes from a %s to a %s: drop and create", strings.ToLower(f.kind()), strings.ToLower(t.kind()))
			case t.Materialized:
				drop[name] = true
				p.reasons[name] = "materialized view changed: drop and create (there is no CREATE OR REPLACE for it)"
			default:
				oldCols, ok1 := fromCols[name]
				newCols, ok2 := toCols[name]
				if !ok1 || !ok2 {
					return nil, fmt.Errorf("no planned columns for view %q", name)
				}
				if ok, why := replaceable(oldCols, newCols); ok {
					replace[name] = true
					if len(newCols) > len(oldCols) {
						p.reasons[name] = "changed, columns appended: CREATE OR REPLACE"
					} else {
						p.reasons[name] = "changed, same columns: CREATE OR REPLACE"
					}
				} else {
					drop[name] = true
					p.reasons[name] = "changed, " + why + ": drop and create"
				}
			}
		case !sameIndexes(f, t):
			indexOnly = append(indexOnly, name)
			p.reasons[name] = "indexes changed"
			if f.Comment != t.Comment {
				p.reasons[name] = "indexes and comment changed"
			}
		case f.Comment != t.Comment:
			p.reasons[name] = "comment changed"
		}
	}

	// Whatever reads a dropped view goes too, and comes back.
	// All of them are marked before any reason is written, so that a reason
	// names every dropped view it reads, whatever the names' order.
	seeds := keys(drop)
	var added []string
	for _, dep := range dependentsIn(from, seeds) {
		if !drop[dep] {
			drop[dep] = true
			added = append(added, dep)
		}
	}
	for _, dep := range added {
		delete(replace, dep)
		indexOnly = removeString(indexOnly, dep)
		var reads []string
		for _, d := range from[dep].Deps {
			if drop[d] {
				reads = append(reads, d)
			}
		}
		why := "recreated because it reads " + strings.Join(reads, ", ")
		if p.reasons[dep] == "comment changed" {
			why = "comment changed and " + why
		} else if p.reasons[dep] != "" {
			// It changed itself too; its new definition is what comes back.
			why = "changed and " + why
		}
		p.reasons[dep] = why
	}
	for name := range drop {
		if to[name] != nil {
			create[name] = true
		}
	}

	for _, name := range reverse(topoOrder(from, keys(drop))) {
		p.drops = append(p.drops, from[name])
		if to[name] != nil {
			p.keep = append(p.keep, name)
		}
	}
	sort.Strings(p.keep)
	for _, name := range indexOnly {
		f, t := from[name], to[name]
		for _, ix := range f.Indexes {
			if !hasIndex(t.Indexes, ix) {
				p.dropIndexes = append(p.dropIndexes, ix)
			}
		}
		for _, ix := range t.Indexes {
			if !hasIndex(f.Indexes, ix) {
				p.addIndexes = append(p.addIndexes, ix)
			}
		}
	}
	all := keys(create)
	all = append(all, keys(replace)...)
	for _, name := range topoOrder(to, all) {
		p.creates = append(p.creates, createStep{def: to[name], replace: replace[name]})
	}
	// Comments: a comment declared in code is set wherever it changes or
	// its view is created (after the restore, so code wins over the saved
	// one); a comment the code no longer declares is removed.
	for _, name := range sortedNames(to) {
		f, t := from[name], to[name]
		switch {
		case f == nil || drop[name]:
			if t.Comment != "" || (f != nil && f.Comment != "") {
				p.comments = append(p.comments, commentStep{def: t, comment: t.Comment})
			}
		case f.Comment != t.Comment:
			p.comments = append(p.comments, commentStep{def: t, comment: t.Comment})
		}
	}
	return p, nil
}

// sql renders the plan's statements, separated by blank lines.
func (p *plan) sql() (string, error) {
	var parts []string
	if len(p.keep) > 0 {
		parts = append(parts, keepSaveSQL(p.keep))
	}
	body, err := p.body()
	if err != nil {
		return "", err
	}
	parts = append(parts, body...)
	if len(p.keep) > 0 {
		parts = append(parts, keepRestoreSQL())
	}
	parts = append(parts, p.commentStatements()...)
	return strings.Join(parts, "\n"), nil
}

// commentStatements are the plan's COMMENT ON statements.
func (p *plan) commentStatements() []string {
	var parts []string
	for _, c := range p.comments {
		parts = append(parts, commentSQL(c.def, c.comment))
	}
	return parts
}

// body is the plan's DROP and CREATE statements, without the keep blocks
// and comments around them.
func (p *plan) body() ([]string, error) {
	var parts []string
	for _, d := range p.drops {
		s, err := d.dropSQL(p.ifExists)
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	for _, ix := range p.dropIndexes {
		s, err := Pretty("DROP INDEX " + quoteIdent(ix.Name))
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	for _, c := range p.creates {
		s, err := c.def.CreateSQL(c.replace)
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	for _, ix := range p.addIndexes {
		s, err := Pretty(ix.SQL)
		if err != nil {
			return nil, err
		}
		parts = append(parts, s)
	}
	return parts, nil
}

// topoOrder returns names ordered so that every view comes after the views
// of state it reads; ties in name order.
func topoOrder(state map[string]*Definition, names []string) []string {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	all := make([]string, 0, len(state))
	for n := range state {
		all = append(all, n)
	}
	sort.Strings(all)
	done := map[string]bool{}
	visiting := map[string]bool{}
	var out []string
	var visit func(string)
	visit = func(n string) {
		if done[n] || visiting[n] {
			return // visiting: a cycle, which PostgreSQL cannot have
		}
		visiting[n] = true
		if d := state[n]; d != nil {
			for _, dep := range d.Deps {
				if state[dep] != nil {
					visit(dep)
				}
			}
		}
		visiting[n] = false
		done[n] = true
		if want[n] {
			out = append(out, n)
		}
	}
	for _, n := range all {
		visit(n)
	}
	return out
}

func unionNames(a, b map[string]*Definition) []string {
	seen := map[string]bool{}
	for n := range a {
		seen[n] = true
	}
	for n := range b {
		seen[n] = true
	}
	return keys(seen)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func removeString(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func hasIndex(ixs []IndexDef, ix IndexDef) bool {
	for _, x := range ixs {
		if x.Name == ix.Name && x.SQL == ix.SQL {
			return true
		}
	}
	return false
}
