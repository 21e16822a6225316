package commands

import "testing"

func TestBuiltByGo(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		"/tmp/go-build1234/b001/exe/solarview":      true, // go run
		"/root/.cache/go-build/ab/abcd-d/solarview": true, // go run, cached (Go 1.24+)
		"/tmp/go-build99/b123/commands.test":        true, // go test
		"/root/go/bin/solarview":                    false,
		"/usr/local/bin/solarview":                  false,
		"/home/me/src/solarview/solarview":          false,
		"/var/folders/x/T/go-build5/b001/exe/s":     true, // macOS temp dir
	} {
		if got := builtByGo(path); got != want {
			t.Errorf("builtByGo(%q) = %v, want %v", path, got, want)
		}
	}
}
