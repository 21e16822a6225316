package viewmig

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/solarview/solarview/internal/sqlsum"
	"github.com/solarview/solarview/views"
)

// ErrNoConflicts is returned by [MakeMerge] when there is nothing to merge.
var ErrNoConflicts = errors.New("no conflicting migrations to merge")

// MergeOptions configures [MakeMerge].
type MergeOptions struct {
	// Views are the views defined in code: what the merge migration brings
	// the conflicting views to.
	Views []views.View
	// FS holds the migrations; Dir names it in messages.
	FS  fs.FS
	Dir string
	// Name is the merge migration's name after the version; default "merge".
	Name string
	// Now gives the merge migration's version, as in [MakeOptions].
	Now func() time.Time
}

// Merge is what `makemigrations --merge` writes.
type Merge struct {
	// Rewritten are the conflicting branch migrations, rewritten so that
	// they apply whichever branch ran first; they replace the files of the
	// same names.
	Rewritten []*Migration
	// Migration is the new merge migration.
	Migration *Migration
	// Conflicts are the conflicts resolved.
	Conflicts []Conflict
}

// MakeMerge resolves branch conflicts the way Django's makemigrations
// --merge does, adapted to SQL that cannot be re-planned when it runs.
//
// Branches A and B both changed view V from definition H0; on a fresh
// database the files run in name order, so B's CREATE OR REPLACE meets A's
// columns rather than H0's, and may fail; on a database where one branch
// ran, the other is pending. So:
//
//   - every conflicting migration is rewritten to drop (IF EXISTS) the views
//     it changes and every view reading them in any of the branches' states,
//     and to create them as its branch left them: the same end state as
//     before, reached from H0 or from any other branch's state. Its down file
//     restores, at run time, the state of the latest other branch already
//     applied (looked up in bun_migrations), else the state before the
//     branches. Each rewritten file names the checksum of the file it
//     replaces (sqlsum.ReplacesPrefix), so a database that applied the
//     original accepts it;
//   - a merge migration, named after the latest migration, drops and
//     creates the same views as code defines them, and names the branch
//     migrations in a solarview:merge header, which ends the conflict for
//     `check`. Its down file restores the state after the last branch in
//     name order, as a fresh database had it.
//
// Privileges, comments and owners are kept as in every drop-and-recreate.
func MakeMerge(opts MergeOptions) (*Merge, error) {
	if opts.Dir == "" {
		opts.Dir = "migrations"
	}
	if opts.Name == "" {
		opts.Name = "merge"
	}
	if !migrationName.MatchString(opts.Name) {
		return nil, fmt.Errorf("invalid migration name %q: use lower-case letters, digits and underscores", opts.Name)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	hist, err := ReadHistory(opts.FS, opts.Dir)
	if err != nil {
		return nil, err
	}
	if len(hist.Conflicts) == 0 {
		return nil, ErrNoConflicts
	}
	code, err := FromViews(opts.Views)
	if err != nil {
		return nil, err
	}
	codeState := map[string]*Definition{}
	for _, d := range code {
		codeState[d.Name] = d
	}

	// The conflicting migrations, in the order they apply.
	inGroup := map[string]bool{}
	for _, c := range hist.Conflicts {
		for _, f := range c.Files {
			inGroup[migrationLabel(f)] = true
		}
	}
	var group []string // file names
	for _, f := range hist.Files {
		if inGroup[migrationLabel(f)] {
			group = append(group, f)
		}
	}
	// before[i] and after[i]: the views just before and after group[i] on
	// its own branch (the other branches' migrations left out).
	before := make([]map[string]*Definition, len(group))
	after := make([]map[string]*Definition, len(group))
	changed := make([][]string, len(group))
	for i, f := range group {
		var prefix []string
		for _, g := range hist.Files {
			if g == f {
				break
			}
			if !inGroup[migrationLabel(g)] {
				prefix = append(prefix, g)
			}
		}
		hb, err := replay(opts.FS, opts.Dir, prefix)
		if err != nil {
			return nil, err
		}
		ha, err := replay(opts.FS, opts.Dir, append(prefix[:len(prefix):len(prefix)], f))
		if err != nil {
			return nil, err
		}
		before[i], after[i] = hb.Views, ha.Views
		for _, n := range unionNames(hb.Views, ha.Views) {
			if hashOf(hb.Views[n]) != hashOf(ha.Views[n]) {
				changed[i] = append(changed[i], n)
			}
		}
	}
	var states []map[string]*Definition
	states = append(states, before...)
	states = append(states, after...)
	states = append(states, hist.Views, codeState)

	out := &Merge{Conflicts: hist.Conflicts}
	var allChanged []string
	for i, f := range group {
		allChanged = append(allChanged, changed[i]...)
		original, err := fs.ReadFile(opts.FS, f)
		if err != nil {
			return nil, err
		}
		sum, err := sqlsum.Of(string(original))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		up, err := robustPlan(changed[i], after[i], states).sql()
		if err != nil {
			return nil, err
		}
		// Down: the latest other branch applied, else the state before.
		var branches []condBranch
		for j := len(group) - 1; j >= 0; j-- {
			if j == i {
				continue
			}
			branches = append(branches, condBranch{
				cond: fmt.Sprintf("EXISTS (SELECT FROM bun_migrations WHERE name = %s)", quoteLiteral(migrationVersion(group[j]))),
				note: migrationLabel(group[j]) + " is applied: its state",
				plan: robustPlan(changed[i], after[j], states),
			})
		}
		branches = append(branches, condBranch{note: "the state before the branches", plan: robustPlan(changed[i], before[i], states)})
		down, err := conditionalSQL(branches)
		if err != nil {
			return nil, err
		}
		head := leadingComments(string(original))
		head += "--\n-- Rewritten by `solarview makemigrations --merge` so that it applies after any of\n" +
			"-- the branches it conflicted with; the checksum of the file it replaces:\n" +
			sqlsum.ReplacesPrefix + sum + "\n"
		downName := strings.TrimSuffix(f, ".up.sql") + ".down.sql"
		out.Rewritten = append(out.Rewritten, &Migration{
			UpName: f, DownName: downName,
			Up: head + "\n" + up,
			Down: "-- Rewritten by `solarview makemigrations --merge`: reverts " + f + " to the state of\n" +
				"-- the latest conflicting branch already applied, or to the state before the branches.\n" +
				"\n" + down,
		})
	}

	// The merge migration: every view a branch changed, as code defines it.
	sort.Strings(allChanged)
	allChanged = dedupe(allChanged)
	upPlan := robustPlan(allChanged, codeState, states)
	downPlan := robustPlan(allChanged, hist.Views, states)
	version := nextVersion(opts.Now(), hist.Latest)
	m := &Migration{
		UpName:   version + "_" + opts.Name + ".tx.up.sql",
		DownName: version + "_" + opts.Name + ".tx.down.sql",
		Reasons:  upPlan.reasons,
	}
	labels := make([]string, len(group))
	for i, f := range group {
		labels[i] = migrationLabel(f)
	}
	upBody, err := upPlan.sql()
	if err != nil {
		return nil, err
	}
	downBody, err := downPlan.sql()
	if err != nil {
		return nil, err
	}
	m.Up = upHeader(upPlan, hist.Views, codeState, []string{MergeHeaderPrefix + strings.Join(labels, " ")}) + "\n" + upBody
	m.Down = downHeader(m.UpName, downPlan) + "\n" + downBody
	out.Migration = m
	return out, nil
}

// robustPlan drops (IF EXISTS) the views changed and every view reading
// them in any of states, then creates those that target has, as target
// defines them: a plan that applies from any of states.
func robustPlan(changed []string, target map[string]*Definition, states []map[string]*Definition) *plan {
	p := &plan{ifExists: true, reasons: map[string]string{}}
	dropSet := map[string]bool{}
	union := map[string]*Definition{}
	for _, st := range append(states, target) {
		for _, n := range changed {
			if st[n] != nil {
				dropSet[n] = true
			}
		}
		for _, n := range dependentsIn(st, changed) {
			dropSet[n] = true
		}
		for _, n := range sortedNames(st) {
			d := st[n]
			if u := union[n]; u != nil {
				u.Deps = dedupe(append(u.Deps, d.Deps...))
				continue
			}
			c := *d
			c.Deps = append([]string(nil), d.Deps...)
			union[n] = &c
		}
	}
	for _, n := range changed {
		switch {
		case target[n] == nil:
			p.reasons[n] = "merged branches: dropped if it exists"
		default:
			p.reasons[n] = "merged branches: dropped if it exists and created"
		}
	}
	for _, n := range reverse(topoOrder(union, keys(dropSet))) {
		d := union[n]
		if t := target[n]; t != nil {
			d = t // its kind on the target side is the likelier
			p.keep = append(p.keep, n)
			if p.reasons[n] == "" {
				p.reasons[n] = "recreated because it reads a view the branches changed"
			}
		}
		p.drops = append(p.drops, d)
	}
	sort.Strings(p.keep)
	var creates []string
	for n := range dropSet {
		if target[n] != nil {
			creates = append(creates, n)
		}
	}
	sort.Strings(creates)
	for _, n := range topoOrder(target, creates) {
		p.creates = append(p.creates, createStep{def: target[n]})
		if target[n].Comment != "" {
			p.comments = append(p.comments, commentStep{def: target[n], comment: target[n].Comment})
		}
	}
	return p
}

// condBranch is one branch of a run-time choice between plans.
type condBranch struct {
	cond string // SQL condition; "" for the ELSE branch
	note string
	plan *plan
}

// conditionalSQL runs, in one DO block, the plan of the first branch whose
// condition holds, between keep blocks covering every branch's views.
func conditionalSQL(branches []condBranch) (string, error) {
	keep := map[string]bool{}
	var b strings.Builder
	b.WriteString("DO $solarview_merge$\nBEGIN\n")
	hasComments := false
	for i, br := range branches {
		for _, n := range br.plan.keep {
			keep[n] = true
		}
		hasComments = hasComments || len(br.plan.comments) > 0
		writeCondition(&b, i, br)
		body, err := br.plan.body()
		if err != nil {
			return "", err
		}
		for _, s := range body {
			b.WriteString(indent(s, "        "))
		}
		if len(body) == 0 {
			b.WriteString("        NULL;\n")
		}
	}
	b.WriteString("    END IF;\nEND\n$solarview_merge$;\n")
	var parts []string
	if len(keep) > 0 {
		parts = append(parts, keepSaveSQL(keys(keep)))
	}
	parts = append(parts, b.String())
	if len(keep) > 0 {
		parts = append(parts, keepRestoreSQL())
	}
	if hasComments {
		// Comments declared in code, after the restore so that code wins.
		var c strings.Builder
		c.WriteString("DO $solarview_merge$\nBEGIN\n")
		for i, br := range branches {
			writeCondition(&c, i, br)
			cs := br.plan.commentStatements()
			for _, s := range cs {
				c.WriteString(indent(s, "        "))
			}
			if len(cs) == 0 {
				c.WriteString("        NULL;\n")
			}
		}
		c.WriteString("    END IF;\nEND\n$solarview_merge$;\n")
		parts = append(parts, c.String())
	}
	return strings.Join(parts, "\n"), nil
}

func writeCondition(b *strings.Builder, i int, br condBranch) {
	switch {
	case br.cond == "" && i == 0:
		b.WriteString("    IF true THEN -- " + br.note + "\n")
	case br.cond == "":
		b.WriteString("    ELSE -- " + br.note + "\n")
	case i == 0:
		b.WriteString("    IF " + br.cond + " THEN -- " + br.note + "\n")
	default:
		b.WriteString("    ELSIF " + br.cond + " THEN -- " + br.note + "\n")
	}
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			b.WriteString(prefix)
		}
		b.WriteString(l)
	}
	return b.String()
}

// leadingComments returns the comment lines a file starts with.
func leadingComments(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

func dedupe(sorted []string) []string {
	sort.Strings(sorted)
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
