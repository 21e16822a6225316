package ingest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestEOLReader(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a\nb\n", "a\nb\n"},
		{"a\r\nb\r\n", "a\nb\n"},
		{"a\rb\r", "a\nb\n"},
		{"a\rb\r\nc\nd", "a\nb\nc\nd"},
		{"\r\r\n\n\r", "\n\n\n\n"},
		{"", ""},
	}
	for _, tt := range tests {
		// Whole, and one byte at a time so that a CR ends every chunk.
		for _, r := range []io.Reader{strings.NewReader(tt.in), iotest.OneByteReader(strings.NewReader(tt.in))} {
			got, err := io.ReadAll(newEOLReader(r, "x"))
			if err != nil || string(got) != tt.want {
				t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
			}
		}
	}
}

// zeros is an endless stream of NUL bytes, as /dev/zero gives.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

func TestEOLReaderBoundsLines(t *testing.T) {
	t.Parallel()
	// A long line after two short ones is refused on its own line number,
	// after at most MaxLineLength of it and one buffer more were read.
	z := &zeros{}
	r := newEOLReader(io.MultiReader(strings.NewReader("a\r\nb\r"), z), "zero")
	_, err := io.Copy(io.Discard, r)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.File != "zero" || !strings.Contains(pe.Msg, "longer than") {
		t.Fatalf("error %v, want zero:3: the line is longer than …", err)
	}
	if z.n > MaxLineLength+64<<10 {
		t.Errorf("read %d bytes of the endless line", z.n)
	}
	// A line of exactly the bound is fine.
	line := strings.Repeat("x", MaxLineLength)
	got, err := io.ReadAll(newEOLReader(strings.NewReader(line+"\r\n"+line), "x"))
	if err != nil || len(got) != 2*MaxLineLength+1 {
		t.Errorf("lines of the maximum length: %d bytes, %v", len(got), err)
	}
}

func TestParsersRefuseEndlessLines(t *testing.T) {
	t.Parallel()
	heads := map[Format]string{
		FormatAuto:    "",
		FormatNEM12:   "100,NEM12,200505181432,A,B\n",
		FormatCSV:     "timestamp,import\n",
		FormatAusgrid: "title\n",
	}
	for f, head := range heads {
		z := &zeros{}
		src, err := Open(io.MultiReader(strings.NewReader(head), z), "zero", f, Config{})
		if err == nil {
			_, err = readAll(t, src)
		}
		line := 1 + strings.Count(head, "\n")
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != "zero" || pe.Line != line || !strings.Contains(pe.Msg, "longer than") {
			t.Errorf("%s: error %v, want zero:%d: the line is longer than …", f, err, line)
		}
		if z.n > 2*MaxLineLength {
			t.Errorf("%s: read %d bytes of the endless line", f, z.n)
		}
	}
}

func TestLineReaderQuotes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{`400,1,48,E52,79,"Meter, reading estimated"`, []string{"400", "1", "48", "E52", "79", "Meter, reading estimated"}, ""},
		{` "a" , "b""c",,"",d `, []string{"a", `b"c`, "", "", "d"}, ""},
		{`a,"b`, nil, "not closed"},
		{`a,"b"c`, nil, "after a quoted field"},
		{`a,b"c,d`, []string{"a", `b"c`, "d"}, ""},
	}
	for _, tt := range tests {
		lr := lineReader{br: bufferLines(strings.NewReader(tt.in+"\n"), "q"), name: "q"}
		fields, ok := lr.next()
		if tt.err != "" {
			if ok || lr.err == nil || !strings.Contains(lr.err.Error(), "q:1: ") || !strings.Contains(lr.err.Error(), tt.err) {
				t.Errorf("%s: %q %v, want error %q", tt.in, fields, lr.err, tt.err)
			}
			continue
		}
		var got []string
		for _, f := range fields {
			got = append(got, string(f))
		}
		if !ok || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFitAndBlank(t *testing.T) {
	t.Parallel()
	split := func(s string) [][]byte { return bytes.Split([]byte(s), []byte(",")) }
	if got := fit(split("900,,,"), 1); len(got) != 1 {
		t.Errorf("fit(900,,,) kept %d fields", len(got))
	}
	if got := fit(split("900,,x,"), 1); len(got) != 3 {
		t.Errorf("fit(900,,x,) kept %d fields, want 3 (up to the x)", len(got))
	}
	if !blank(split(",,,")) || !blank(split("")) || blank(split(",a,")) {
		t.Error("blank")
	}
}
