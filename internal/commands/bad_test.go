package commands

import (
	"strings"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

// TestBadInvocations runs about a hundred mistaken command lines against a
// database holding a site, a tariff and a billing period. Each must exit
// non-zero with exactly one line on stderr (no stack trace, nothing a
// terminal would act on) and leave the database exactly as it was. want is
// a part of the message, to show the refusal is the intended one.
func TestBadInvocations(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t, true)
	mustRun(t, dsn, "site", "add", "home", "--tz", "Australia/Adelaide")
	mustRun(t, dsn, "tariff", "add", "Flat", "--retailer", "R", "--supply", "1.10", "--usage", "0.30")
	mustRun(t, dsn, "billing", "add", "--site", "home", "--tariff", "Flat", "--from", "2024-01-01", "--to", "2024-12-31")
	long := strings.Repeat("x", 100000)
	const billing = "billing|add|--site|home|--tariff|Flat"

	tests := []struct {
		args string // split on "|"
		want string
	}{
		// No command, unknown commands, group commands without a subcommand.
		{"", "no command given"},
		{"nosuch", `unknown command "nosuch"`},
		{"sitee|list", `did you mean "site"?`},
		{"importt|f.csv", `did you mean "import"?`},
		{"db", "db needs a subcommand: start, stop, status, url, psql"},
		{"site", "site needs a subcommand: add, list"},
		{"tariff", "tariff needs a subcommand"},
		{"billing", "billing needs a subcommand"},
		{"db|sart", `did you mean "db start"?`},
		{"site|lst", `did you mean "site list"?`},
		{"tariff|remove|Flat", `unknown command "tariff remove"`},
		{"billing|delete", `unknown command "billing delete"`},
		{"help|nosuch", `unknown command "help"`},
		{"site|help|add", `unknown command "site help"`},
		// Positional arguments a command does not take.
		{"migrate|now", `migrate takes no arguments, got "now"`},
		{"rollback|all", "rollback takes no arguments"},
		{"showmigrations|x", "showmigrations takes no arguments"},
		{"makemigrations|views", "makemigrations takes no arguments"},
		{"check|x", "check takes no arguments"},
		{"site|list|home", "site list takes no arguments"},
		{"sensors|all", "sensors takes no arguments"},
		{"demo|now", "demo takes no arguments"},
		{"db|stop|now", "db stop takes no arguments"},
		{"db|start|x", "db start takes no arguments"},
		{"db|status|x", "db status takes no arguments"},
		{"db|url|a|b", `db url takes at most 1 DB, got 2: "a" "b"`},
		{"sqlview", "sqlview needs exactly one VIEW"},
		{"sqlview|a|b", "sqlview needs exactly one VIEW, got 2"},
		{"site|add", "site add needs exactly one NAME"},
		{"site|add|a|b", "site add needs exactly one NAME, got 2"},
		{"tariff|add", "tariff add needs exactly one NAME"},
		{"tariff|add|A|B|--retailer|R|--supply|1", "tariff add needs exactly one NAME, got 2"},
		{"tariff|show", "tariff show needs exactly one NAME"},
		{"tariff|show|Flat|x", "tariff show needs exactly one NAME, got 2"},
		{"tariff|list|x", "tariff list takes no arguments"},
		{"billing|add|x|--site|home", "billing add takes no arguments"},
		{"billing|list|home", "billing list takes no arguments"},
		{"battery|home", "battery takes no arguments"},
		{"import", "import needs at least one FILE"},
		// Flags: unknown, or without their value.
		{"site|add|x|--tz", "flag --tz needs a value"},
		{"battery|--capacity", "flag --capacity needs a value"},
		{"--nosuch|migrate", "unknown flag -nosuch (see solarview --help)"},
		{"migrate|--nosuch", "migrate: unknown flag -nosuch (see solarview migrate --help)"},
		{"site|add|x|--bogus|1", "site add: unknown flag -bogus"},
		{"billing|add|--site|home", "billing add needs --tariff"},
		{"billing|add", "billing add needs --site"},
		{"tariff|add|T|--supply|1", "give the tariff's --retailer"},
		// Names: control characters, length, emptiness; NMIs.
		{"site|add|a\x1b[2Jb", "U+001B"},
		{"site|add|bell\a", "U+0007"},
		{"site|add|two\nlines", "U+000A"},
		{"site|add|csi\u009b31m", "U+009B"},
		{"site|add|evil\u202etxt.exe", "U+202E"},
		{"site|add|" + long, "100000 characters long; the limit is 200"},
		{"site|add|   ", "site name must not be empty"},
		{"site|add|x|--nmi|1234'--", `NMI "1234'--" is not an NMI`},
		{"site|add|x|--nmi|123", "is not an NMI"},
		{"site|add|x|--nmi|NMI0000001", "is not an NMI"},
		{"site|add|x|--nmi|600123456O", "is not an NMI"},
		{"site|add|x|--nmi|60012345670", "11th character is a checksum"},
		{"site|add|x|--nmi|", "is not an NMI"},
		{"site|add|home", `a site named "home" already exists`},
		{"site|add|x|--tz|Mars/Olympus", `unknown time zone "Mars/Olympus"`},
		{"tariff|add|a\x1b[31m|--retailer|R|--supply|1", "tariff name"},
		{"tariff|add|T|--retailer|R\a|--supply|1", "--retailer: retailer name"},
		{"tariff|add|T|--retailer|" + long[:201] + "|--supply|1", "201 characters long"},
		{"tariff|add|Flat|--retailer|R|--supply|1", `a tariff named "Flat" already exists`},
		{"import|--site|x\x1b|f.csv", "--site: site name"},
		{"--db|a\x1bb|site|list", "--db: database name"},
		// Numbers that are not finite, or absurd.
		{"battery|--capacity|1e308kWh", `--capacity "1e308kWh": 1e308 is not a finite number`},
		{"battery|--capacity|infkWh", "--capacity"},
		{"battery|--capacity|NaNkWh", "--capacity"},
		{"battery|--sweep|5kWh,1e400kWh", "--sweep"},
		{"battery|--price|1e300", "--price"},
		{"battery|--price|1500+Inf/kWh", "--price"},
		{"battery|--efficiency|nan", "--efficiency"},
		{"battery|--power|1e309W", "--power"},
		{"battery|--price|5000|--discount-rate|Inf%", "--discount-rate"},
		{"battery|--lifetime|1e20", "--lifetime"},
		{"tariff|add|T|--retailer|R|--supply|1e308", "--supply"},
		{"tariff|add|T|--retailer|R|--usage|NaN", "--usage"},
		{"tariff|add|T|--retailer|R|--feed-in|-inf", "--feed-in"},
		{"battery|--capacity|0kWh", "capacity"},
		{"battery|--capacity|-5kWh", "capacity"},
		{"battery|--capacity|13.5", "--capacity"},
		{"battery|--efficiency|1.5", "efficiency"},
		{"battery|--lifetime|0", "--lifetime"},
		// Dates outside what PostgreSQL and Go agree on, or not dates.
		{billing + "|--from|2025-01-01|--to|9999-12-31", "--to 9999-12-31 is out of range"},
		{billing + "|--from|0001-01-01|--to|2025-01-31", "--from 0001-01-01 is out of range"},
		{billing + "|--from|2025-13-01|--to|2025-12-31", `--from "2025-13-01" is not a date`},
		{billing + "|--from|2025-01-01|--to|2025-02-30", `--to "2025-02-30" is not a date`},
		{billing + "|--from|2025-02-01|--to|2025-01-31", "is before --from"},
		{billing + "|--from|2024-06-01|--to|2024-06-30", "overlaps"},
		{billing + "|--from|2025-01-01|--to|2025-12-31|--every|week", `--every "week"`},
		{"battery|--from|1899-12-31", "--from 1899-12-31 is out of range"},
		{"battery|--to|3000-01-01", "--to 3000-01-01 is out of range"},
		{"billing|add|--site|nosuch|--tariff|Flat|--from|2025-01-01|--to|2025-01-31", `no site named "nosuch"`},
		{"billing|list|--site|hom", `no site named "hom"`},
		// Other refusals.
		{"tariff|show|Falt", `no tariff named "Falt"`},
		{"tariff|add|T|--retailer|R", "has no prices"},
		{"sqlview|sumary", `did you mean "summary"?`},
		{"battery|--site|hom", `no site named "hom"`},
		{"battery|--model|turbo", "turbo"},
		{"battery|--format|xml", "xml"},
		{"battery|--model|seed|--power|5kW", "--power applies to the full model only"},
		{"battery|--sweep|5kWh|--capacity|5kWh", "either --capacity or --sweep"},
		{"battery|--discount-rate|5%", "--discount-rate needs --price"},
		{"import|no-such-file.csv", "no-such-file.csv"},
		{"import|--format|xml|no-such-file.csv", "xml"},
		{"check|--format|yaml", "yaml"},
		{"check|--dir|/nonexistent", "/nonexistent"},
		{"makemigrations|--dir|/nonexistent", "migrations directory /nonexistent not found"},
		{"db|url|other", "--database-url / DATABASE_URL is set"},
		{"db|psql|other", "--database-url / DATABASE_URL is set"},
		{"demo|--reset", "refuses to wipe --database-url"},
		{"refresh|nosuch", "nosuch"},
	}
	if len(tests) < 100 {
		t.Fatalf("only %d invocations", len(tests))
	}
	for _, tt := range tests {
		var args []string
		if tt.args != "" {
			args = strings.Split(tt.args, "|")
		}
		before := snapshot(t, dsn)
		r := run(t, dsn, args...)
		if r.code == 0 {
			t.Errorf("solarview %.80q: exit 0", args)
			continue
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "solarview") || !strings.HasSuffix(r.stderr, "\n") {
			t.Errorf("solarview %.80q: stderr is not one line: %q", args, r.stderr)
		}
		if strings.ContainsAny(r.stderr, "\x1b\a\u009b\u202e") || strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
			t.Errorf("solarview %.80q: stderr %q", args, r.stderr)
		}
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("solarview %.80q: exit %d, stderr %.300q; want it to contain %q", args, r.code, r.stderr, tt.want)
		}
		if len(r.stderr) > 600 {
			t.Errorf("solarview %.80q: a %d-byte error", args, len(r.stderr))
		}
		if after := snapshot(t, dsn); after != before {
			t.Errorf("solarview %.80q changed the database:\nbefore:\n%s\nafter:\n%s", args, before, after)
		}
	}
}
