package subquery

import (
	"errors"

	"github.com/uptrace/bun/schema"
)

// Render renders q with gen (for a *bun.DB, db.QueryGen()) and returns its
// SQL, or an error when rendering failed — including the errors Bun writes
// into the SQL as `?!(message)` instead of returning them, as it does for a
// failing `?` argument such as a misused expression of this package.
func Render(gen schema.QueryGen, q schema.QueryAppender) (string, error) {
	b, err := q.AppendQuery(gen, nil)
	if err != nil {
		return "", err
	}
	if msg, ok := embeddedError(b); ok {
		return "", errors.New(msg)
	}
	return string(b), nil
}

// embeddedError finds the first `?!(message)` Bun embedded in sql outside
// quoted literals, identifiers and comments, and returns its message.
func embeddedError(sql []byte) (string, bool) {
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '\'', '"':
			// Quotes are escaped by doubling, so skipping to the next quote
			// and continuing handles '' and "" correctly.
			for i++; i < len(sql) && sql[i] != c; i++ {
			}
		case '-':
			if i+1 < len(sql) && sql[i+1] == '-' {
				for ; i < len(sql) && sql[i] != '\n'; i++ {
				}
			}
		case '/':
			if i+1 < len(sql) && sql[i+1] == '*' {
				for i += 2; i+1 < len(sql) && (sql[i] != '*' || sql[i+1] != '/'); i++ {
				}
				i++
			}
		case '?':
			if i+2 < len(sql) && sql[i+1] == '!' && sql[i+2] == '(' {
				return errorMessage(sql[i+3:]), true
			}
		}
	}
	return "", false
}

// errorMessage is the text up to the parenthesis closing `?!(`. Messages may
// contain balanced parentheses of their own; an unbalanced message is taken
// whole.
func errorMessage(rest []byte) string {
	depth := 0
	for i, c := range rest {
		switch c {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return string(rest[:i])
			}
			depth--
		}
	}
	return string(rest)
}
