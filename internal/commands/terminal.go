package commands

import (
	"io"
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal. Progress bars go only to a
// person watching: never into a pipe, a file or CI logs, and never into csv
// or json output.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalOrNil returns w when it is a terminal, else nil, for options
// where a nil writer means "no progress".
func terminalOrNil(w io.Writer) io.Writer {
	if isTerminal(w) {
		return w
	}
	return nil
}
