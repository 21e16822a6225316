package migrations_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/solarview/solarview/internal/database"
	"github.com/solarview/solarview/internal/dbtest"
	"github.com/solarview/solarview/internal/names"
)

// TestNameChecksAgreeWithGo checks the CHECK constraints of migration
// 20261127130000_name_checks against internal/names, character by
// character: the database refuses exactly the names the CLI refuses, so
// nothing written around the CLI can hold what it would not print.
func TestNameChecksAgreeWithGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewMigratedDB(t)

	var runes []rune
	for r := rune(1); r <= 0x3ff; r++ {
		runes = append(runes, r)
	}
	for r := rune(0x2000); r <= 0x206f; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0xfeff, 0xfffd, 0x1f600, 0xe0001)
	for _, table := range []string{"retailers", "sites"} {
		for _, r := range runes {
			name := fmt.Sprintf("a%cb", r)
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.ExecContext(ctx, "INSERT INTO ? (name) VALUES (?)", bun.Ident(table), name)
			_ = tx.Rollback()
			goAccepts := names.Check("x", name) == nil
			if goAccepts != (err == nil) {
				t.Errorf("%s: name with %U: Go accepts %v, the database: %v", table, r, goAccepts, err)
			} else if err != nil {
				if _, ok := database.IsViolation(err, database.CheckViolation); !ok {
					t.Errorf("%s: name with %U refused by %v, want a check violation", table, r, err)
				}
			}
		}
	}

	for _, tt := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO sites (name) VALUES (?)", []any{strings.Repeat("x", names.MaxLength+1)}},
		{"INSERT INTO retailers (name) VALUES (?)", []any{strings.Repeat("é", 100000)}},
		{"INSERT INTO sites (name, nmi) VALUES ('n', ?)", []any{"1234'--"}},
		{"INSERT INTO sites (name, nmi) VALUES ('n', ?)", []any{"60012345678"}},
		{"INSERT INTO sites (name, nmi) VALUES ('n', ?)", []any{"6001\x1b[2J"}},
		{"INSERT INTO retailers (name) VALUES ('R'); INSERT INTO tariffs (retailer_id, name) SELECT id, ? FROM retailers", []any{"Flat\a"}},
	} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(ctx, tt.sql, tt.args...)
		_ = tx.Rollback()
		if _, ok := database.IsViolation(err, database.CheckViolation); !ok {
			t.Errorf("%s %.30q: %v, want a check violation", tt.sql, tt.args, err)
		}
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO sites (name, nmi) VALUES (?, 'NEM1201002')", strings.Repeat("é", names.MaxLength)); err != nil {
		t.Errorf("a name of exactly %d characters and a real NMI: %v", names.MaxLength, err)
	}
}
