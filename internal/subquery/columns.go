package subquery

import (
	"errors"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// checkColumns verifies that the SELECT statement sql returns want columns.
// Bun keeps a query's column list to itself, so the rendered SQL is parsed
// with PostgreSQL's own parser instead: that also covers ColumnExpr, unions
// and VALUES exactly as PostgreSQL will see them.
func checkColumns(sql []byte, want int) error {
	names, err := outputColumns(string(sql))
	if err != nil {
		return err
	}
	if len(names) != want {
		noun := "columns"
		if want == 1 {
			noun = "column"
		}
		return fmt.Errorf("needs a subquery with %d %s, got %d (%s)",
			want, noun, len(names), strings.Join(names, ", "))
	}
	return nil
}

// outputColumns lists the names of the columns a SELECT returns ("?column?"
// for an unnamed expression, as PostgreSQL calls it).
func outputColumns(sql string) ([]string, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, fmt.Errorf("parsing subquery: %w", err)
	}
	if len(tree.GetStmts()) != 1 {
		return nil, errors.New("subquery is not a single statement")
	}
	sel := tree.GetStmts()[0].GetStmt().GetSelectStmt()
	if sel == nil {
		return nil, errors.New("subquery is not a SELECT")
	}
	// The columns of a UNION, INTERSECT or EXCEPT are those of its first
	// branch.
	for sel.GetOp() != pg_query.SetOperation_SETOP_NONE && sel.GetLarg() != nil {
		sel = sel.GetLarg()
	}
	if values := sel.GetValuesLists(); len(values) > 0 {
		n := len(values[0].GetList().GetItems())
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("column%d", i+1)
		}
		return names, nil
	}
	var names []string
	for _, node := range sel.GetTargetList() {
		target := node.GetResTarget()
		if name := target.GetName(); name != "" {
			names = append(names, name)
			continue
		}
		if fn := target.GetVal().GetFuncCall(); fn != nil {
			parts := fn.GetFuncname()
			names = append(names, parts[len(parts)-1].GetString_().GetSval())
			continue
		}
		ref := target.GetVal().GetColumnRef()
		if ref == nil {
			names = append(names, "?column?")
			continue
		}
		fields := ref.GetFields()
		last := fields[len(fields)-1]
		if last.GetAStar() != nil {
			return nil, errors.New("cannot count the columns of a subquery selecting *; name its columns")
		}
		names = append(names, last.GetString_().GetSval())
	}
	return names, nil
}
