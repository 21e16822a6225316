package viewmig

import (
	"bufio"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// managedSchema is the schema whose views solarview manages. Views and
// statements in other schemas are left alone by the replay and by the
// database comparison.
const managedSchema = "public"

// managed reports whether rv names a relation of the managed schema.
func managed(rv *pg.RangeVar) bool {
	return rv != nil && (rv.Schemaname == "" || rv.Schemaname == managedSchema)
}

// The header lines of generated migrations. Each is one SQL comment line,
// so the files stay plain SQL:
//
//	-- solarview:view <view> <from> <to>
//
// says the migration changes <view> from the definition whose
// [Definition.Hash] is <from> to the one hashed <to> ("none" when the view
// does not exist before, or after). Two migrations recording the same view
// and the same <from> were made on two branches from one definition: a
// conflict, until a migration reconciles them with
//
//	-- solarview:merge <migration> <migration>...
//
// naming the conflicting migrations (version_name, e.g.
// 20261127120000_views). Files rewritten by `makemigrations --merge` carry
// sqlsum's "-- solarview:replaces-checksum <hex>" line too.
const (
	ViewHeaderPrefix  = "-- solarview:view "
	MergeHeaderPrefix = "-- solarview:merge "
	// ignoreMarker, in the comments just above a statement, makes the
	// replay skip a statement it cannot follow and that does not touch
	// views (a DO block, say).
	ignoreMarker = "-- solarview:replay-ignore"
	noHash       = "none"
)

// viewChange is one solarview:view header line.
type viewChange struct {
	file     string // migration name, version_name
	from, to string
}

// keptMeta is a view's comment and privileges as a "keep save" block found
// them.
type keptMeta struct {
	comment string
	grants  map[string][]string
}

// Conflict is a view that two migrations change from the same definition.
type Conflict struct {
	View string `json:"view"`
	// Files are the conflicting up migrations (with the directory prefix),
	// in the order they apply.
	Files []string `json:"files"`
}

// Message is a one-line description with the way out.
func (c Conflict) Message() string {
	return fmt.Sprintf("view %s: %s both change it from the same definition (branches merged): run `solarview makemigrations --merge`",
		c.View, strings.Join(c.Files, " and "))
}

// migrationLabel is an up file's name without its suffix
// ("20261127120000_views.tx.up.sql" → "20261127120000_views").
func migrationLabel(file string) string {
	base := path.Base(file)
	base = strings.TrimSuffix(base, ".up.sql")
	return strings.TrimSuffix(base, ".tx")
}

// readHeader records the solarview: header lines of a migration.
func (h *History) readHeader(file, text string) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	label := migrationLabel(file)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			if line == "" {
				continue
			}
			return // the header ends at the first statement
		}
		if rest, ok := strings.CutPrefix(line, ViewHeaderPrefix); ok {
			f := strings.Fields(rest)
			if len(f) == 3 {
				if h.changes == nil {
					h.changes = map[string][]viewChange{}
				}
				h.changes[f[0]] = append(h.changes[f[0]], viewChange{file: label, from: f[1], to: f[2]})
			}
		}
		if rest, ok := strings.CutPrefix(line, MergeHeaderPrefix); ok {
			h.merged = append(h.merged, strings.Fields(rest))
		}
	}
}

// findConflicts fills h.Conflicts from the recorded view changes. A
// migration forks the history of a view when the definition it was made
// from is not the one the previous migration changing the view left, while
// an earlier migration was made from that same definition: two branches
// changed the view from one definition (both may also have created it).
// Reverting a view to an earlier definition and changing it again is no
// fork, nor is creating a view again after it was dropped. A merge
// migration naming both files reconciles them.
func (h *History) findConflicts() {
	reconciled := func(a, b string) bool {
		for _, m := range h.merged {
			if containsString(m, a) && containsString(m, b) {
				return true
			}
		}
		return false
	}
	full := func(label string) string { return path.Join(h.dir, label+fileSuffix(h, label)) }
	for _, view := range sortedKeysOf(h.changes) {
		first := map[string]string{} // from → first file made from it
		prevTo := ""
		for i, c := range h.changes[view] {
			if i > 0 && c.from != prevTo {
				if sibling, ok := first[c.from]; ok && sibling != c.file && !reconciled(sibling, c.file) {
					h.Conflicts = append(h.Conflicts, Conflict{View: view, Files: []string{full(sibling), full(c.file)}})
				}
			}
			if _, ok := first[c.from]; !ok {
				first[c.from] = c.file
			}
			prevTo = c.to
		}
	}
}

// fileSuffix finds the up file's suffix for a migration label.
func fileSuffix(h *History, label string) string {
	for _, f := range h.Files {
		if migrationLabel(f) == label {
			return strings.TrimPrefix(f, label)
		}
	}
	return ".up.sql"
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// setOptions applies reloption definitions (WITH (...), ALTER VIEW SET or,
// when reset, RESET) to opts.
func setOptions(opts map[string]string, defs []*pg.Node, reset bool) error {
	for _, n := range defs {
		de := n.GetDefElem()
		if de == nil {
			continue
		}
		name := strings.ToLower(de.Defname)
		if reset {
			delete(opts, name)
			continue
		}
		val := "true"
		if de.Arg != nil {
			switch {
			case de.Arg.GetString_() != nil:
				val = strings.ToLower(de.Arg.GetString_().Sval)
			case de.Arg.GetBoolean() != nil:
				val = fmt.Sprint(de.Arg.GetBoolean().Boolval)
			case de.Arg.GetInteger() != nil:
				val = fmt.Sprint(de.Arg.GetInteger().Ival)
			case de.Arg.GetTypeName() != nil:
				var parts []string
				for _, p := range de.Arg.GetTypeName().Names {
					parts = append(parts, p.GetString_().GetSval())
				}
				val = strings.ToLower(strings.Join(parts, "."))
			}
		}
		opts[name] = normalOption(name, val)
	}
	return nil
}

// normalOption spells a boolean option's value "true" or "false".
func normalOption(name, val string) string {
	switch name {
	case "security_barrier", "security_invoker":
		switch val {
		case "true", "on", "yes", "1", "t", "y":
			return "true"
		case "false", "off", "no", "0", "f", "n":
			return "false"
		}
	}
	return val
}

// optionList turns opts into [Definition.Options]' form, leaving out false
// booleans (the default).
func optionList(opts map[string]string) []string {
	var out []string
	for _, k := range sortedKeysOf(opts) {
		if opts[k] == "false" {
			continue
		}
		out = append(out, k+"="+opts[k])
	}
	return out
}

// OptionsFromReloptions normalises pg_class.reloptions like a migration's
// WITH (...).
func OptionsFromReloptions(rel []string) []string {
	opts := map[string]string{}
	for _, r := range rel {
		k, v, _ := strings.Cut(r, "=")
		k = strings.ToLower(k)
		opts[k] = normalOption(k, strings.ToLower(v))
	}
	return optionList(opts)
}

// objectKey reads the relation a COMMENT ON names.
func objectKey(n *pg.Node) (string, bool) {
	if l := n.GetList(); l != nil {
		if len(l.Items) == 2 && l.Items[0].GetString_().GetSval() != managedSchema {
			return "", false
		}
	}
	name := qualifiedName(n)
	return name, name != "" && !strings.Contains(name, ".")
}

func (h *History) comment(s *pg.CommentStmt) error {
	switch s.Objtype {
	case pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_TABLE:
	default:
		return nil
	}
	name, ok := objectKey(s.Object)
	if !ok || h.Views[name] == nil {
		return nil
	}
	h.Views[name].Comment = s.Comment
	return nil
}

// tablePrivileges are the privileges ALL means on a relation.
var tablePrivileges = []string{"delete", "insert", "references", "select", "trigger", "truncate", "update"}

func (h *History) grant(s *pg.GrantStmt) error {
	if s.Targtype != pg.GrantTargetType_ACL_TARGET_OBJECT || s.Objtype != pg.ObjectType_OBJECT_TABLE {
		return nil
	}
	var privs []string
	for _, p := range s.Privileges {
		if ap := p.GetAccessPriv(); ap != nil {
			if len(ap.Cols) > 0 {
				continue // column privileges are not tracked
			}
			privs = append(privs, strings.ToLower(ap.PrivName))
		}
	}
	if len(s.Privileges) == 0 {
		privs = tablePrivileges
	}
	var grantees []string
	for _, g := range s.Grantees {
		rs := g.GetRoleSpec()
		switch {
		case rs == nil:
		case rs.Roletype == pg.RoleSpecType_ROLESPEC_PUBLIC:
			grantees = append(grantees, "PUBLIC")
		case rs.Roletype == pg.RoleSpecType_ROLESPEC_CSTRING:
			grantees = append(grantees, rs.Rolename)
		}
	}
	for _, o := range s.Objects {
		rv := o.GetRangeVar()
		if !managed(rv) {
			continue
		}
		d := h.Views[relationKey(rv)]
		if d == nil {
			continue
		}
		g := cloneGrants(d.Grants)
		for _, who := range grantees {
			set := map[string]bool{}
			for _, p := range g[who] {
				set[p] = true
			}
			for _, p := range privs {
				set[p] = s.IsGrant
			}
			var list []string
			for _, p := range sortedKeysOf(set) {
				if set[p] {
					list = append(list, p)
				}
			}
			g[who] = list // an empty list: revoked, and so compared
		}
		d.Grants = g
	}
	return nil
}

func cloneGrants(g map[string][]string) map[string][]string {
	out := make(map[string][]string, len(g))
	for k, v := range g {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func (h *History) alterTable(s *pg.AlterTableStmt) error {
	if !managed(s.Relation) {
		return nil
	}
	d := h.Views[relationKey(s.Relation)]
	if d == nil {
		return nil
	}
	for _, c := range s.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		var defs []*pg.Node
		if l := cmd.Def.GetList(); l != nil {
			defs = l.Items
		}
		switch cmd.Subtype {
		case pg.AlterTableType_AT_SetRelOptions, pg.AlterTableType_AT_ResetRelOptions:
			if d.Materialized {
				continue // storage parameters of a materialized view
			}
			opts := map[string]string{}
			for _, o := range d.Options {
				k, v, _ := strings.Cut(o, "=")
				opts[k] = v
			}
			if err := setOptions(opts, defs, cmd.Subtype == pg.AlterTableType_AT_ResetRelOptions); err != nil {
				return err
			}
			d.Options = optionList(opts)
		}
	}
	return nil
}

func (h *History) alterSchema(s *pg.AlterObjectSchemaStmt) error {
	switch s.ObjectType {
	case pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_TABLE:
	default:
		return nil
	}
	if s.Relation == nil {
		return nil
	}
	if managed(s.Relation) && h.Views[relationKey(s.Relation)] != nil {
		return fmt.Errorf("ALTER ... SET SCHEMA moves view %q out of the schema solarview manages, which the history cannot follow: drop the view in a migration instead", relationKey(s.Relation))
	}
	if s.Newschema == managedSchema && !managed(s.Relation) {
		return fmt.Errorf("ALTER ... SET SCHEMA %s moves %s into the managed schema from one the history does not follow: create the view in a migration instead", managedSchema, relationKey(s.Relation))
	}
	return nil
}

// keepMarker starts the body of the DO blocks that generated migrations
// use to keep privileges, comments and owners over a drop-and-recreate
// (see keep.go); the replay understands them.
const keepMarker = "-- solarview:keep "

var dynamicSQL = regexp.MustCompile(`(?i)\b(execute|view)\b`)

// do follows a DO block: solarview's own keep blocks are understood; any
// other block that runs dynamic SQL or mentions views is reported, since
// the replay cannot see what it does.
func (h *History) do(s *pg.DoStmt) error {
	body := ""
	for _, a := range s.Args {
		if de := a.GetDefElem(); de != nil && de.Defname == "as" {
			body = de.Arg.GetString_().GetSval()
		}
	}
	trimmed := strings.TrimLeft(body, " \t\r\n")
	if rest, ok := strings.CutPrefix(trimmed, keepMarker); ok {
		line, _, _ := strings.Cut(rest, "\n")
		f := strings.Fields(strings.ReplaceAll(line, ",", " "))
		if len(f) > 0 && f[0] == "save" {
			if h.kept == nil {
				h.kept = map[string]keptMeta{}
			}
			for _, name := range f[1:] {
				if d := h.Views[name]; d != nil {
					if _, dup := h.kept[name]; !dup {
						h.kept[name] = keptMeta{comment: d.Comment, grants: cloneGrants(d.Grants)}
					}
				}
			}
			return nil
		}
		if len(f) > 0 && f[0] == "restore" {
			for name, k := range h.kept {
				if d := h.Views[name]; d != nil {
					d.Comment, d.Grants = k.comment, cloneGrants(k.grants)
				}
			}
			h.kept = nil
			return nil
		}
	}
	if dynamicSQL.MatchString(body) {
		return fmt.Errorf("a DO block that runs dynamic SQL or mentions views: the history cannot follow it; " +
			"if it creates, changes or drops no view, put `" + ignoreMarker + "` on the line above it")
	}
	return nil
}

// replayIgnored reports whether the comments just before a statement carry
// the replay-ignore marker.
func replayIgnored(text string, raw *pg.RawStmt) bool {
	start := int(raw.StmtLocation)
	if start < 0 || start > len(text) {
		return false
	}
	lead := text[start:]
	return strings.Contains(lead[:leadingSpace(lead)], ignoreMarker)
}
