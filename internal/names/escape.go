package names

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// Escape returns s with every character [IsUnsafe] reports (bar newline and
// tab, which layout needs) written as a visible \x1b or \u202e escape, and
// every byte that is not UTF-8 as \xNN.
func Escape(s string) string {
	return string(appendEscaped(nil, []byte(s), true))
}

func appendEscaped(out, p []byte, final bool) []byte {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		switch {
		case r == utf8.RuneError && size <= 1:
			if !final && !utf8.FullRune(p) {
				return out // the rest of the rune is in the next Write
			}
			out = fmt.Appendf(out, `\x%02x`, p[0])
		case r == '\n' || r == '\t':
			out = append(out, byte(r))
		case IsUnsafe(r) && r < 0x80:
			out = fmt.Appendf(out, `\x%02x`, r)
		case IsUnsafe(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, p[:size]...)
		}
		p = p[size:]
	}
	return out
}

// SafeWriter passes text to a terminal (or a file) with the characters
// [IsUnsafe] reports escaped, so that no name or file content printed by a
// command can move the cursor, retitle the window or hide text. Newlines and
// tabs pass. A rune split across two writes is held back until the next
// one; Flush writes a trailing incomplete rune escaped.
type SafeWriter struct {
	w       io.Writer
	pending []byte // the start of a rune whose end has not come yet
	buf     []byte
}

// NewSafeWriter returns a SafeWriter writing to w.
func NewSafeWriter(w io.Writer) *SafeWriter { return &SafeWriter{w: w} }

// Write escapes p and writes it; it reports len(p) on success, as callers
// expect, whatever the escaping added.
func (s *SafeWriter) Write(p []byte) (int, error) {
	in := p
	if len(s.pending) > 0 {
		in = append(append([]byte(nil), s.pending...), p...)
		s.pending = s.pending[:0]
	}
	s.buf = appendEscaped(s.buf[:0], in, false)
	consumed := len(in) - trailingPartial(in)
	s.pending = append(s.pending, in[consumed:]...)
	if _, err := s.w.Write(s.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// trailingPartial is the length of an incomplete UTF-8 sequence at the end
// of p (0 when p ends on a complete rune or on invalid bytes).
func trailingPartial(p []byte) int {
	for n := 1; n <= 3 && n <= len(p); n++ {
		start := len(p) - n
		if utf8.RuneStart(p[start]) {
			if utf8.FullRune(p[start:]) {
				return 0
			}
			return n
		}
	}
	return 0
}

// Flush writes out a rune left incomplete by the last Write, escaped.
func (s *SafeWriter) Flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	out := appendEscaped(nil, s.pending, true)
	s.pending = s.pending[:0]
	_, err := s.w.Write(out)
	return err
}
