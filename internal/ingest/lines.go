package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// lineReader splits a text file into lines and comma-separated fields
// without allocating per line. It suits NEM12, whose fields never hold
// commas; surrounding spaces and double quotes are trimmed from each field.
// The fields are valid until the next call of next.
type lineReader struct {
	br     *bufio.Reader
	line   int // number of the line last returned
	long   []byte
	fields [][]byte
	err    error
	eof    bool
}

// next returns the fields of the next line, or false at the end of the file
// or on a read error (kept in err).
func (l *lineReader) next() ([][]byte, bool) {
	if l.eof || l.err != nil {
		return nil, false
	}
	b, err := l.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		l.long = append(l.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = l.br.ReadSlice('\n')
			l.long = append(l.long, b...)
		}
		b = l.long
	}
	if err != nil {
		if err != io.EOF {
			l.err = err
			return nil, false
		}
		l.eof = true
		if len(b) == 0 {
			return nil, false
		}
	}
	l.line++
	b = bytes.TrimRight(b, "\r\n")
	l.fields = l.fields[:0]
	for {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			l.fields = append(l.fields, trimField(b))
			break
		}
		l.fields = append(l.fields, trimField(b[:i]))
		b = b[i+1:]
	}
	return l.fields, true
}

func trimField(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return b
}

// blank reports whether a line held nothing but spaces.
func blank(fields [][]byte) bool {
	return len(fields) == 1 && len(fields[0]) == 0
}
