package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	const (
		pass    = `{"Action":"run","Package":"p","Test":"TestA"}` + "\n" + `{"Action":"pass","Package":"p","Test":"TestA"}` + "\n"
		pkgOK   = `{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}` + "\n" + `{"Action":"pass","Package":"p"}` + "\n"
		skip    = `{"Action":"output","Package":"p","Test":"TestB","Output":"    x_test.go:9: data not found\n"}` + "\n" + `{"Action":"skip","Package":"p","Test":"TestB"}` + "\n"
		fail    = `{"Action":"output","Package":"p","Test":"TestC","Output":"    x_test.go:12: wrong\n"}` + "\n" + `{"Action":"fail","Package":"p","Test":"TestC"}` + "\n"
		pkgFail = `{"Action":"output","Package":"q","Output":"FAIL\tq [build failed]\n"}` + "\n" + `{"Action":"fail","Package":"q"}` + "\n"
	)
	for _, c := range []struct {
		name, in string
		code     int
		want     []string
	}{
		{"all pass", pass + pkgOK, 0, []string{"ok  \tp\t0.1s", "1 passed, 0 failed, 0 skipped"}},
		{"a skip fails the run", pass + skip + pkgOK, 1, []string{"skipped: p TestB: x_test.go:9: data not found", "1 passed, 0 failed, 1 skipped"}},
		{"a failure is shown", pass + fail + pkgOK, 1, []string{"x_test.go:12: wrong", "1 passed, 1 failed, 0 skipped"}},
		{"a package failure", pass + pkgFail, 1, []string{"FAIL\tq [build failed]"}},
		{"plain lines pass through", "# p\nbuild error\n" + pkgFail, 1, []string{"build error"}},
	} {
		var out strings.Builder
		code, err := run(strings.NewReader(c.in), &out)
		if err != nil || code != c.code {
			t.Errorf("%s: code %d, err %v; want %d", c.name, code, err, c.code)
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, out.String())
			}
		}
	}
}
