package ingest

import (
	"io"
	"sync/atomic"
)

// Progress receives how far an import has got: phase is "checking" during
// the validating pass and "loading" while rows stream to the database;
// done and total are bytes of the file. It is called from the goroutine
// reading the file, at most every progressStep bytes.
type Progress func(phase string, done, total int64)

const progressStep = 256 << 10

// countingReader reports progress as a file is read.
type countingReader struct {
	r        io.Reader
	phase    string
	total    int64
	done     atomic.Int64
	reported int64
	fn       Progress
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	done := c.done.Add(int64(n))
	if c.fn != nil && (done-c.reported >= progressStep || err == io.EOF) {
		c.reported = done
		c.fn(c.phase, done, c.total)
	}
	return n, err
}
