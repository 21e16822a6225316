package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxLineLength bounds the length of one line of an input file, in bytes.
// The longest legitimate line is a NEM12 300 record of 288 five-minute values
// (a few kilobytes, even padded by a spreadsheet); anything longer is not a
// meter data file, and refusing it keeps memory flat whatever the input
// (/dev/zero, a binary file, a file without line breaks).
const MaxLineLength = 1 << 20

// eolReader passes a file through with its line endings made uniform and
// its lines bounded. CR LF, a lone CR (old Mac and some meter data
// providers' exports) and LF all become LF, so the parsers above it see one
// convention, and a line longer than MaxLineLength stops the stream with a
// *ParseError naming the line. It works in place in the caller's buffer, so
// it costs a scan of the bytes and no copy.
type eolReader struct {
	r    io.Reader
	name string
	line int  // line terminators passed so far
	col  int  // bytes of the current line passed so far
	cr   bool // the last chunk ended in CR: a LF starting the next belongs to it
	err  error
}

func newEOLReader(r io.Reader, name string) *eolReader { return &eolReader{r: r, name: name} }

func (e *eolReader) Read(p []byte) (int, error) {
	for e.err == nil {
		n, err := e.r.Read(p)
		n = e.normalise(p[:n])
		if err != nil && e.err == nil {
			e.err = err
		}
		if n > 0 {
			return n, nil
		}
	}
	return 0, e.err
}

// normalise rewrites b in place and returns the length of the result.
func (e *eolReader) normalise(b []byte) int {
	w, i := 0, 0
	if e.cr && len(b) > 0 {
		e.cr = false
		if b[0] == '\n' {
			i = 1
		}
	}
	for i < len(b) {
		rest := b[i:]
		k := bytes.IndexByte(rest, '\n')
		if k < 0 {
			k = bytes.IndexByte(rest, '\r')
		} else if c := bytes.IndexByte(rest[:k], '\r'); c >= 0 {
			k = c
		}
		seg := rest
		if k >= 0 {
			seg = rest[:k]
		}
		if e.col+len(seg) > MaxLineLength {
			keep := MaxLineLength - e.col
			w += copy(b[w:], seg[:keep])
			e.err = &ParseError{File: e.name, Line: e.line + 1,
				Msg: fmt.Sprintf("the line is longer than %d bytes: this is not a meter data file (or it lacks line breaks)", MaxLineLength)}
			return w
		}
		w += copy(b[w:], seg)
		if k < 0 {
			e.col += len(seg)
			break
		}
		term := rest[k] // read before the write below, which may land on it
		b[w] = '\n'
		w++
		e.line++
		e.col = 0
		i += k + 1
		if term == '\r' {
			if i == len(b) {
				e.cr = true
			} else if b[i] == '\n' {
				i++
			}
		}
	}
	return w
}

// bufferLines returns r ready for a parser: a *bufio.Reader over an
// eolReader. A *bufio.Reader is taken to be one already (Open makes it).
func bufferLines(r io.Reader, name string) *bufio.Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return br
	}
	return bufio.NewReaderSize(newEOLReader(r, name), 64<<10)
}

// lineReader splits a text file into lines and comma-separated fields
// without allocating per line. Surrounding spaces are trimmed from each
// field. A field may be quoted ("…"), so that it can hold a comma, with ""
// for a quote inside it; a quote left open at the end of the line is an
// error, since a NEM12 record never spans lines. The fields are valid until
// the next call of next.
type lineReader struct {
	br      *bufio.Reader
	name    string
	line    int // number of the line last returned
	long    []byte
	scratch []byte
	fields  [][]byte
	err     error
	eof     bool
}

// next returns the fields of the next line, or false at the end of the file
// or on an error (kept in err).
func (l *lineReader) next() ([][]byte, bool) {
	if l.eof || l.err != nil {
		return nil, false
	}
	b, err := l.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// The eolReader below bounds how far this can grow.
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
	if bytes.IndexByte(b, '"') >= 0 {
		return l.splitQuoted(b)
	}
	for {
		i := bytes.IndexByte(b, ',')
		if i < 0 {
			l.fields = append(l.fields, bytes.TrimSpace(b))
			break
		}
		l.fields = append(l.fields, bytes.TrimSpace(b[:i]))
		b = b[i+1:]
	}
	return l.fields, true
}

// splitQuoted splits a line holding double quotes, as RFC 4180 reads them:
// a field that starts with a quote runs to the matching quote, commas
// included. The unquoted text goes into a scratch buffer the fields point
// into.
func (l *lineReader) splitQuoted(b []byte) ([][]byte, bool) {
	if cap(l.scratch) < len(b) {
		l.scratch = make([]byte, 0, len(b))
	}
	buf := l.scratch[:0]
	i := 0
	for {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		start := len(buf)
		if i < len(b) && b[i] == '"' {
			i++
			closed := false
			for i < len(b) {
				if b[i] == '"' {
					if i+1 < len(b) && b[i+1] == '"' {
						buf = append(buf, '"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				buf = append(buf, b[i])
				i++
			}
			if !closed {
				l.err = &ParseError{File: l.name, Line: l.line, Msg: "a quoted field is not closed on its line (a record must not span lines)"}
				return nil, false
			}
			for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
				i++
			}
			if i < len(b) && b[i] != ',' {
				l.err = &ParseError{File: l.name, Line: l.line, Msg: fmt.Sprintf("text %q after a quoted field", clip(b[i:]))}
				return nil, false
			}
			l.fields = append(l.fields, buf[start:len(buf):len(buf)])
		} else {
			j := bytes.IndexByte(b[i:], ',')
			end := len(b)
			if j >= 0 {
				end = i + j
			}
			buf = append(buf, bytes.TrimSpace(b[i:end])...)
			l.fields = append(l.fields, buf[start:len(buf):len(buf)])
			i = end
		}
		if i >= len(b) {
			break
		}
		i++ // the comma
	}
	l.scratch = buf
	return l.fields, true
}

// blank reports whether a line held nothing but spaces and commas: an empty
// line, or an empty row of a spreadsheet.
func blank(fields [][]byte) bool {
	for _, f := range fields {
		if len(f) != 0 {
			return false
		}
	}
	return true
}

// fit drops empty fields beyond the first n: the trailing comma some meter
// data providers write and the padding a spreadsheet adds to make every row
// as wide as the widest. A non-empty field beyond n stays, for the caller to
// refuse.
func fit(f [][]byte, n int) [][]byte {
	for len(f) > n && len(f[len(f)-1]) == 0 {
		f = f[:len(f)-1]
	}
	return f
}

// readError reports a failure to read a file: a *ParseError from the
// eolReader as it is (it already says file:line), anything else wrapped.
func readError(name string, err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe
	}
	return fmt.Errorf("reading %s: %w", name, err)
}
