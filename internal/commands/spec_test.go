package commands

import (
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestEveryCommandHasASpec keeps commandSpecs complete: a command added
// without declaring its arguments would silently accept any.
func TestEveryCommandHasASpec(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			path := strings.TrimSpace(prefix + " " + c.Name)
			if len(c.Subcommands) > 0 {
				walk(path, c.Subcommands)
				continue
			}
			seen[path] = true
			if _, ok := commandSpecs[path]; !ok {
				t.Errorf("command %q has no entry in commandSpecs", path)
			}
		}
	}
	walk("", App(io.Discard, io.Discard).Commands)
	for path := range commandSpecs {
		if !seen[path] {
			t.Errorf("commandSpecs lists %q, which is no command", path)
		}
	}
}

// TestHelpAndGroups runs only command lines that touch no database: there
// is no --database-url here, so anything else would start the real
// embedded server.
func TestHelpAndGroups(t *testing.T) {
	t.Parallel()
	var top []string
	for _, c := range App(io.Discard, io.Discard).Commands {
		if c.Name != "help" && !c.Hidden {
			top = append(top, c.Name)
		}
	}
	for _, tt := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"help"}, 0, "USAGE", ""},
		{[]string{"site", "help"}, 0, "add   add a site", ""},
		{[]string{"site"}, 2, "add   add a site", "solarview: site needs a subcommand: add, list (see solarview site --help)\n"},
		{[]string{"frobnicate"}, 2, "", "solarview: unknown command \"frobnicate\" (solarview has: " + strings.Join(top, ", ") + ")\n"},
		{[]string{"site", "add", "home", "--help"}, 0, "--nmi", ""},
	} {
		var stdout, stderr strings.Builder
		code := Main(t.Context(), append([]string{"solarview"}, tt.args...), &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || stderr.String() != tt.stderr {
			t.Errorf("solarview %s: exit %d, stdout %.200q, stderr %q; want exit %d, stdout with %q, stderr %q",
				strings.Join(tt.args, " "), code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}
