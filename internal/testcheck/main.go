// Command testcheck reads `go test -json` output on standard input, prints
// what plain `go test` would (failures in full, one line per package), and
// exits non-zero when any test failed or was skipped.
//
// CI runs the suite through it because a skipped test passes silently: a
// test that skips for a missing file or tool tests nothing, and the point of
// keeping the test data in the repository is that no test needs to.
//
//	go test ./... -json | go run ./internal/testcheck
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

func main() {
	code, err := run(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testcheck:", err)
		code = 2
	}
	os.Exit(code)
}

// run reads events from r and reports to w; it returns the exit code.
func run(r io.Reader, w io.Writer) (int, error) {
	var (
		passed, failed int
		skipped        []string
		output         = map[string][]string{} // package/test → its lines, until it ends
		pkgFailed      bool
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Build errors and other non-JSON lines come through as they are.
			fmt.Fprintln(w, string(line))
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "output":
			output[key] = append(output[key], e.Output)
		case "pass", "fail", "skip":
			lines := output[key]
			delete(output, key)
			if e.Test == "" {
				// The package's own summary: "ok …", "FAIL …", "? … [no test files]".
				for _, l := range lines {
					if strings.HasPrefix(l, "ok ") || strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "?") || strings.HasPrefix(l, "panic") || e.Action == "fail" {
						fmt.Fprint(w, l)
					}
				}
				if e.Action == "fail" {
					pkgFailed = true
				}
				continue
			}
			switch e.Action {
			case "pass":
				passed++
			case "fail":
				failed++
				for _, l := range lines {
					fmt.Fprint(w, l)
				}
			case "skip":
				reason := strings.TrimSpace(strings.Join(lines, " "))
				skipped = append(skipped, e.Package+" "+e.Test+": "+reason)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return 2, err
	}
	sort.Strings(skipped)
	for _, s := range skipped {
		fmt.Fprintln(w, "skipped:", s)
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", passed, failed, len(skipped))
	switch {
	case failed > 0 || pkgFailed:
		return 1, nil
	case len(skipped) > 0:
		fmt.Fprintln(w, "testcheck: tests were skipped; every test must run (see internal/testfiles)")
		return 1, nil
	}
	return 0, nil
}
