package names

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	good := []string{"home", "Demo house", "Flat 30c", "Énergie – tarif réglé", "家", strings.Repeat("x", MaxLength)}
	for _, n := range good {
		if err := Check("site", n); err != nil {
			t.Errorf("Check(%q) = %v", n, err)
		}
	}
	bad := map[string]string{
		"":                               "must not be empty",
		"   ":                            "must not be empty",
		"a\x1b[2Jb":                      "U+001B",
		"bell\a":                         "U+0007",
		"two\nlines":                     "U+000A",
		"tab\there":                      "U+0009",
		"del\x7f":                        "U+007F",
		"csi\u009b31m":                   "U+009B",
		"evil\u202eexe.txt":              "U+202E",
		"sep\u2028":                      "U+2028",
		"\xff\xfe":                       "not valid UTF-8",
		strings.Repeat("x", 100000):      "100000 characters long; the limit is 200",
		strings.Repeat("é", MaxLength+1): "201 characters long",
	}
	for n, want := range bad {
		err := Check("site", n)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%.40q) = %v, want an error containing %q", n, err, want)
			continue
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\x1b\a\n\x7f\u009b\u202e\u2028") || len(msg) > 400 {
			t.Errorf("the error for %.40q repeats the bad text raw: %q", n, msg)
		}
	}
}

func TestNMI(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"6001234567":  "6001234567",
		"nem1201002":  "NEM1201002",
		" VABD000163": "VABD000163",
		"41234567896": "4123456789", // with its checksum, as printed on bills
	} {
		got, err := NMI(in)
		if err != nil || got != want {
			t.Errorf("NMI(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1234'--", "123456789", "12345678901", "NMI0000001", "600123456O", "6001 34567", "60012345678", "6001234567\x1b"} {
		if got, err := NMI(in); err == nil {
			t.Errorf("NMI(%q) = %q, want an error", in, got)
		}
	}
	if _, err := NMI("41234567891"); err == nil || !strings.Contains(err.Error(), "should be 6") {
		t.Errorf("a wrong checksum: %v", err)
	}
}

func TestSafeWriter(t *testing.T) {
	t.Parallel()
	in := "┌─┐ name \x1b]0;pwned\a \u009b2J \u202eabc\u202c tab\tok\nnext é \xff\r"
	want := `┌─┐ name \x1b]0;pwned\x07 \u009b2J \u202eabc\u202c tab` + "\tok\nnext é " + `\xff\x0d`
	if got := Escape(in); got != want {
		t.Errorf("Escape = %q\nwant     %q", got, want)
	}
	// Byte by byte, multi-byte runes split across writes come out whole.
	var out bytes.Buffer
	w := NewSafeWriter(&out)
	for i := 0; i < len(in); i++ {
		if n, err := w.Write([]byte{in[i]}); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("byte-wise SafeWriter = %q\nwant              %q", out.String(), want)
	}
	out.Reset()
	w = NewSafeWriter(&out)
	w.Write([]byte("x\xe2\x80")) // an incomplete rune at the very end
	w.Flush()
	if out.String() != `x\xe2\x80` {
		t.Errorf("a trailing partial rune: %q", out.String())
	}
}
