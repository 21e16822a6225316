package viewmig

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
)

// History is the state of the views after every migration file: the source
// of truth that code is compared with. It is read from the SQL files
// themselves, so a hand-written migration counts as much as a generated one.
type History struct {
	// Views maps each view existing after the last migration to its
	// definition.
	Views map[string]*Definition
	// Files are the up migrations read, in the order they apply.
	Files []string
	// Latest is the version (14-digit prefix) of the last migration, or "".
	Latest string
	// Conflicts are views two migrations change from the same earlier
	// definition (branches merged without `makemigrations --merge`).
	Conflicts []Conflict

	// changes records, per view, the generated migrations that changed it
	// and from which definition (their solarview:view headers).
	changes map[string][]viewChange
	dir     string
	// merged lists the files each merge migration reconciles.
	merged [][]string
	// kept holds what a generated "keep save" block remembered, until its
	// "keep restore" block puts it back.
	kept map[string]keptMeta
}

// SourceError is an error in a migration file, with its position.
type SourceError struct {
	Source
	Err error
}

func (e *SourceError) Error() string { return e.Source.String() + ": " + e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }

// migrationVersion returns the version prefix of a bun/migrate file name
// ("20261121000001_foundation.tx.up.sql" → "20261121000001").
func migrationVersion(name string) string {
	base := path.Base(name)
	if i := strings.IndexByte(base, '_'); i > 0 {
		return base[:i]
	}
	return strings.SplitN(base, ".", 2)[0]
}

// upFiles lists the up migrations in fsys's root in the order bun/migrate
// applies them: by version, then by name.
func upFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".up.sql") {
			files = append(files, e.Name())
		}
	}
	sort.Slice(files, func(i, j int) bool {
		vi, vj := migrationVersion(files[i]), migrationVersion(files[j])
		if vi != vj {
			return vi < vj
		}
		return files[i] < files[j]
	})
	return files, nil
}

// ReadHistory replays every *.up.sql migration in fsys's root, in order,
// following the statements that create, replace, drop and rename views and
// the indexes of materialized views. dir prefixes file names in Source
// positions and errors (e.g. "migrations").
//
// It also follows a view's options (WITH, ALTER VIEW SET/RESET), comment
// (COMMENT ON) and granted privileges (GRANT/REVOKE), including across the
// keep blocks of generated drop-and-recreates, and records the
// solarview:view headers from which branch conflicts are found.
//
// Only the managed schema (public) counts: statements about other schemas
// are skipped. Statements it cannot follow are refused with their file and
// line rather than silently ignored (ALTER VIEW ... RENAME COLUMN, ALTER
// VIEW ... SET SCHEMA, a DO block running dynamic SQL or mentioning views,
// unless marked replay-ignore); statements that do not touch views are
// skipped.
func ReadHistory(fsys fs.FS, dir string) (*History, error) {
	files, err := upFiles(fsys)
	if err != nil {
		return nil, err
	}
	return replay(fsys, dir, files)
}

// replay replays the named up migrations of fsys, in the order given.
func replay(fsys fs.FS, dir string, files []string) (*History, error) {
	h := &History{Views: map[string]*Definition{}, Files: files, dir: dir}
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", name, err)
		}
		if err := h.apply(path.Join(dir, name), string(b)); err != nil {
			return nil, err
		}
		h.Latest = migrationVersion(name)
	}
	if err := h.resolve(); err != nil {
		return nil, err
	}
	h.findConflicts()
	return h, nil
}

// apply replays one migration file.
func (h *History) apply(file, text string) error {
	tree, err := pg.Parse(text)
	if err != nil {
		pos := Source{File: file}
		var perr *pgparser.Error
		if errors.As(err, &perr) {
			pos.Line = lineOf(text, perr.Cursorpos-1)
		}
		return &SourceError{Source: pos, Err: fmt.Errorf("syntax error: %w", err)}
	}
	h.readHeader(file, text)
	for _, raw := range tree.Stmts {
		at := Source{File: file, Line: lineOf(text, int(raw.StmtLocation)+leadingSpace(text[raw.StmtLocation:]))}
		if replayIgnored(text, raw) {
			continue
		}
		if err := h.statement(raw.Stmt, at); err != nil {
			return &SourceError{Source: at, Err: err}
		}
	}
	return nil
}

// leadingSpace counts the whitespace and comments before a statement's first
// token, which pg_query includes in the statement, so positions point at the
// statement itself.
func leadingSpace(s string) int {
	i := 0
	for i < len(s) {
		switch {
		case s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == ';':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return len(s)
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return len(s)
			}
			i += j + 4
		default:
			return i
		}
	}
	return i
}

// statement applies one statement to the view state.
func (h *History) statement(stmt *pg.Node, at Source) error {
	switch {
	case stmt.GetViewStmt() != nil:
		return h.createView(stmt.GetViewStmt(), at)
	case stmt.GetCreateTableAsStmt() != nil:
		s := stmt.GetCreateTableAsStmt()
		if s.Objtype != pg.ObjectType_OBJECT_MATVIEW || !managed(s.Into.Rel) {
			return nil
		}
		name := relationKey(s.Into.Rel)
		if s.IfNotExists && h.Views[name] != nil {
			return nil
		}
		d, err := definitionFromQuery(name, s.Query, at)
		if err != nil {
			return err
		}
		d.Materialized = true
		d.WithNoData = s.Into.SkipData
		h.Views[name] = d
	case stmt.GetDropStmt() != nil:
		return h.drop(stmt.GetDropStmt())
	case stmt.GetRenameStmt() != nil:
		return h.rename(stmt.GetRenameStmt())
	case stmt.GetCommentStmt() != nil:
		return h.comment(stmt.GetCommentStmt())
	case stmt.GetGrantStmt() != nil:
		return h.grant(stmt.GetGrantStmt())
	case stmt.GetAlterTableStmt() != nil:
		return h.alterTable(stmt.GetAlterTableStmt())
	case stmt.GetAlterObjectSchemaStmt() != nil:
		return h.alterSchema(stmt.GetAlterObjectSchemaStmt())
	case stmt.GetDoStmt() != nil:
		return h.do(stmt.GetDoStmt())
	case stmt.GetIndexStmt() != nil:
		s := stmt.GetIndexStmt()
		if !managed(s.Relation) {
			return nil
		}
		d := h.Views[relationKey(s.Relation)]
		if d == nil {
			return nil // an index on a table
		}
		if !d.Materialized {
			return fmt.Errorf("index %q on %q, which is not a materialized view", s.Idxname, d.Name)
		}
		if s.Idxname == "" {
			return fmt.Errorf("index on materialized view %q has no name; name it so later migrations can refer to it", d.Name)
		}
		sql, err := deparseNode(stmt)
		if err != nil {
			return err
		}
		d.Indexes = append(removeIndex(d.Indexes, s.Idxname), IndexDef{Name: s.Idxname, SQL: sql, stmt: stmt})
		sortIndexes(d.Indexes)
	}
	return nil
}

func (h *History) createView(s *pg.ViewStmt, at Source) error {
	if !managed(s.View) {
		return nil // another schema: left alone
	}
	name := relationKey(s.View)
	if len(s.Aliases) > 0 {
		return fmt.Errorf("view %q: column lists are not supported; views are defined in code", name)
	}
	d, err := definitionFromQuery(name, s.Query, at)
	if err != nil {
		return err
	}
	opts := map[string]string{}
	if err := setOptions(opts, s.Options, false); err != nil {
		return fmt.Errorf("view %q: %w", name, err)
	}
	switch s.WithCheckOption {
	case pg.ViewCheckOption_LOCAL_CHECK_OPTION:
		opts["check_option"] = "local"
	case pg.ViewCheckOption_CASCADED_CHECK_OPTION:
		opts["check_option"] = "cascaded"
	}
	d.Options = optionList(opts)
	if old := h.Views[name]; old != nil && s.Replace && !old.Materialized {
		// CREATE OR REPLACE keeps the view's comment and privileges.
		d.Comment, d.Grants = old.Comment, old.Grants
	}
	h.Views[name] = d
	return nil
}

// definitionFromQuery builds a Definition from a view's SELECT node. Its
// canonical Query and Deps are filled in by [History.resolve]: deparsing is
// most of the cost of reading history, and most definitions are replaced or
// dropped by later migrations before anyone needs them.
func definitionFromQuery(name string, query *pg.Node, at Source) (*Definition, error) {
	return &Definition{Name: name, Source: at, stmt: query}, nil
}

// resolve fills in Query and Deps of every definition lacking them, in
// parallel (pg_query's C parser and deparser are thread-safe).
func (h *History) resolve() error {
	var todo []*Definition
	for _, d := range h.Views {
		if d.Query == "" {
			todo = append(todo, d)
		}
	}
	return parallel(len(todo), func(i int) error {
		d := todo[i]
		sql, err := deparseNode(d.stmt)
		if err != nil {
			return &SourceError{Source: d.Source, Err: fmt.Errorf("view %q: %w", d.Name, err)}
		}
		d.Query = sql
		d.Deps = dependencies(d.stmt)
		return nil
	})
}

func (h *History) drop(s *pg.DropStmt) error {
	for _, obj := range s.Objects {
		name := qualifiedName(obj)
		switch s.RemoveType {
		case pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_TABLE:
			if s.Behavior == pg.DropBehavior_DROP_CASCADE {
				if err := h.resolve(); err != nil {
					return err
				}
				for _, dep := range h.dependents(name) {
					delete(h.Views, dep)
				}
			}
			delete(h.Views, name)
		case pg.ObjectType_OBJECT_INDEX:
			if strings.Contains(name, ".") {
				continue // an index in another schema
			}
			for _, d := range h.Views {
				d.Indexes = removeIndex(d.Indexes, name)
			}
		case pg.ObjectType_OBJECT_SCHEMA:
			if name == managedSchema && s.Behavior == pg.DropBehavior_DROP_CASCADE {
				h.Views = map[string]*Definition{}
			}
		}
	}
	return nil
}

func (h *History) rename(s *pg.RenameStmt) error {
	switch s.RenameType {
	case pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_TABLE:
		old := relationKey(s.Relation)
		d := h.Views[old]
		if d == nil || !managed(s.Relation) {
			return nil // a table; views reading it keep working by OID
		}
		if err := h.resolve(); err != nil {
			return err
		}
		delete(h.Views, old)
		d.Name = s.Newname
		h.Views[s.Newname] = d
		// PostgreSQL tracks dependencies by OID, so dependents follow the
		// rename; their stored SQL must follow it too.
		for _, other := range h.Views {
			if containsString(other.Deps, old) {
				renameRelations(other.stmt, old, s.Newname)
				sql, err := deparseNode(other.stmt)
				if err != nil {
					return err
				}
				other.Query = sql
				other.Deps = dependencies(other.stmt)
			}
		}
		for i, ix := range d.Indexes {
			renameRelations(ix.stmt, old, s.Newname)
			sql, err := deparseNode(ix.stmt)
			if err != nil {
				return err
			}
			d.Indexes[i].SQL = sql
		}
	case pg.ObjectType_OBJECT_INDEX:
		old := relationKey(s.Relation)
		for _, d := range h.Views {
			for i, ix := range d.Indexes {
				if ix.Name != old {
					continue
				}
				is := ix.stmt.GetIndexStmt()
				is.Idxname = s.Newname
				sql, err := deparseNode(ix.stmt)
				if err != nil {
					return err
				}
				d.Indexes[i] = IndexDef{Name: s.Newname, SQL: sql, stmt: ix.stmt}
				sortIndexes(d.Indexes)
				return nil
			}
		}
	case pg.ObjectType_OBJECT_COLUMN:
		if s.Relation != nil && h.Views[relationKey(s.Relation)] != nil {
			return fmt.Errorf("renaming a column of view %q is not supported: recreate the view with the new column name instead", relationKey(s.Relation))
		}
	}
	return nil
}

// dependents returns every view that reads name, directly or through other
// views.
func (h *History) dependents(name string) []string {
	return dependentsIn(h.Views, []string{name})
}

// dependentsIn returns the views of state that read any of names, directly
// or transitively (names themselves excluded unless they read each other),
// sorted.
func dependentsIn(state map[string]*Definition, names []string) []string {
	found := map[string]bool{}
	queue := append([]string(nil), names...)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, d := range state {
			if !found[d.Name] && containsString(d.Deps, n) {
				found[d.Name] = true
				queue = append(queue, d.Name)
			}
		}
	}
	out := make([]string, 0, len(found))
	for n := range found {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// qualifiedName reads a DROP object name (a list of strings) as a relation
// key.
func qualifiedName(n *pg.Node) string {
	var parts []string
	if l := n.GetList(); l != nil {
		for _, item := range l.Items {
			parts = append(parts, item.GetString_().GetSval())
		}
	} else if s := n.GetString_(); s != nil {
		parts = []string{s.Sval}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	schema, name := parts[len(parts)-2], parts[len(parts)-1]
	return relationKey(&pg.RangeVar{Schemaname: schema, Relname: name})
}

func removeIndex(ixs []IndexDef, name string) []IndexDef {
	out := ixs[:0:0]
	for _, ix := range ixs {
		if ix.Name != name {
			out = append(out, ix)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
