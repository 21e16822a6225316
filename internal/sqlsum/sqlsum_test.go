package sqlsum

import (
	"slices"
	"testing"
)

func TestOfIgnoresLayoutAndComments(t *testing.T) {
	t.Parallel()
	base := "CREATE TABLE sites (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'home');"
	same := []string{
		"create table SITES (\n  id bigint primary key, -- the key\n  name text not null default 'home'\n);",
		"/* sites */ CREATE   TABLE sites(id bigint PRIMARY KEY,name text NOT NULL DEFAULT 'home');",
	}
	different := []string{
		"CREATE TABLE sites (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'Home');",
		`CREATE TABLE "SITES" (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'home');`,
		"CREATE TABLE sites (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'home');",
		"CREATE TABLE sites (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'home'); DROP TABLE x;",
	}
	want, err := Of(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range same {
		if got, err := Of(s); err != nil || got != want {
			t.Errorf("Of(%q) = %s, %v; want the checksum of %q", s, got, err, base)
		}
	}
	for _, s := range different {
		if got, err := Of(s); err != nil || got == want {
			t.Errorf("Of(%q) = %s, %v; want a checksum other than %q's", s, got, err, base)
		}
	}
}

func TestOfKeepsTokensApart(t *testing.T) {
	t.Parallel()
	a, _ := Of("SELECT ab")
	b, _ := Of("SELECT a b")
	if a == b {
		t.Error(`"SELECT ab" and "SELECT a b" have the same checksum`)
	}
}

func TestOfRefusesUnterminatedSQL(t *testing.T) {
	t.Parallel()
	if _, err := Of("SELECT 'open"); err == nil {
		t.Error("an unterminated string gave a checksum")
	}
}

func TestAccepted(t *testing.T) {
	t.Parallel()
	sql := "-- a note\n" + ReplacesPrefix + "abc\n  " + ReplacesPrefix + " def \nSELECT 1;\n"
	if got := Accepted(sql); !slices.Equal(got, []string{"abc", "def"}) {
		t.Errorf("Accepted = %q, want [abc def]", got)
	}
	withHeader, _ := Of(sql)
	without, _ := Of("SELECT 1;")
	if withHeader != without {
		t.Error("the replaces-checksum header changed the file's own checksum")
	}
}
