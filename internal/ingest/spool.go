package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// StdinName is how errors and summaries name standard input, given as "-".
const StdinName = "<stdin>"

// spoolInput returns a path the loader can open as many times as it reads
// the file. A regular file is its own path. Standard input ("-"), a pipe
// (/dev/stdin fed by cat) or a device can be read only once, so it is
// copied first to a temporary file only its owner can read, which cleanup
// removes. The copy goes through the eolReader, so an endless line
// (/dev/zero) is refused with file:line after MaxLineLength bytes instead of
// filling the disk; and it runs beside the caller, so that Ctrl-C returns at
// once even while a terminal or a stalled pipe holds the read.
func spoolInput(ctx context.Context, path, name string, stdin io.Reader) (spooled string, cleanup func(), err error) {
	open := func() (io.ReadCloser, error) {
		if stdin == nil {
			stdin = os.Stdin
		}
		return io.NopCloser(stdin), nil
	}
	if path != "-" {
		fi, err := os.Stat(path)
		if err != nil {
			return "", nil, err
		}
		switch {
		case fi.Mode().IsRegular():
			return path, func() {}, nil
		case fi.IsDir():
			return "", nil, fmt.Errorf("%s is a directory, not a file", name)
		}
		// Opening a named pipe waits for its writer: done beside the
		// caller too.
		open = func() (io.ReadCloser, error) { return os.Open(path) }
	}
	// Named after this process, so a leftover tells whose it was.
	tmp, err := os.CreateTemp("", fmt.Sprintf("solarview-import-%d-*.txt", os.Getpid()))
	if err != nil {
		return "", nil, fmt.Errorf("spooling %s: %w", name, err)
	}
	cleanup = func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}
	done := make(chan error, 1)
	go func() {
		r, err := open()
		if err != nil {
			done <- err
			return
		}
		defer r.Close()
		_, err = io.Copy(tmp, newEOLReader(r, name))
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if err != nil {
		cleanup()
		if ctx.Err() != nil {
			return "", nil, ctx.Err()
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", nil, err
		}
		return "", nil, readError(name, err)
	}
	return tmp.Name(), cleanup, nil
}
