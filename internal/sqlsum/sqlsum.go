// Package sqlsum computes the checksum solarview records for every applied
// migration, so that a migration file edited after it was applied is noticed
// (Flyway's "validate"), while an edit that changes nothing PostgreSQL would
// run — reformatting, comments, the case of keywords — is not.
//
// The checksum is taken over PostgreSQL's own tokens of the file (pg_query's
// scanner): comments are left out, whitespace between tokens does not count,
// and keywords and unquoted identifiers are folded to lower case, as the
// server folds them. Everything else counts, constants and string bodies
// included: a function body is a string, so re-indenting one is a change.
//
// A migration file that was rewritten on purpose after it was applied
// somewhere (makemigrations --merge does this to branch migrations that
// conflict) names the checksums it replaces in header comments:
//
//	-- solarview:replaces-checksum 3b1f…
//
// [Accepted] lists them, and a recorded checksum found there is as good as
// the file's own.
package sqlsum

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// ReplacesPrefix starts a header line naming a checksum that a rewritten
// migration file replaces.
const ReplacesPrefix = "-- solarview:replaces-checksum "

// Of returns the hex SHA-256 of sql's tokens, as the package doc describes.
// It fails only when sql cannot be tokenised (an unterminated string or
// comment, for instance).
func Of(sql string) (string, error) {
	res, err := pg_query.Scan(sql)
	if err != nil {
		return "", fmt.Errorf("reading the SQL for its checksum: %w", err)
	}
	h := sha256.New()
	for _, tok := range res.GetTokens() {
		switch tok.GetToken() {
		case pg_query.Token_SQL_COMMENT, pg_query.Token_C_COMMENT:
			continue
		}
		text := sql[tok.GetStart():tok.GetEnd()]
		if tok.GetKeywordKind() != pg_query.KeywordKind_NO_KEYWORD ||
			(tok.GetToken() == pg_query.Token_IDENT && !strings.HasPrefix(text, `"`)) {
			text = strings.ToLower(text)
		}
		h.Write([]byte(text))
		// A separator no token can contain keeps "a b" apart from "ab".
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Accepted returns the checksums sql's header comments say it replaces (see
// the package doc), in file order.
func Accepted(sql string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(sql))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if sum, ok := strings.CutPrefix(line, ReplacesPrefix); ok {
			if sum = strings.TrimSpace(sum); sum != "" {
				out = append(out, sum)
			}
		}
	}
	return out
}
