package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/solarview/solarview/internal/migrator"
)

// projectRunEnv marks a solarview that an installed solarview started
// through `go run` in the project (see runInProject), so it never starts
// another.
const projectRunEnv = "SOLARVIEW_PROJECT_RUN"

// runInProject lets an installed binary serve makemigrations and check in a
// checkout whose views may have changed since it was built. The views are
// Go code compiled into the binary, so such a binary would plan and compare
// the views of its own build, not the ones being edited. Inside the project
// (found as migrator.FindProject finds it) it therefore runs the project's
// own solarview through `go run` with the same arguments, and passes on its
// output and exit code. It does nothing — ok is false — outside a project,
// for a binary that `go run` or `go test` built (it is the code), when the
// go command is not installed (it says so once and goes on with its own
// views), or when it is itself the project's run.
func runInProject(ctx context.Context, env *Env) (ok bool, err error) {
	exe, err := os.Executable()
	if err != nil || os.Getenv(projectRunEnv) != "" || builtByGo(exe) || len(env.args) == 0 {
		return false, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return false, nil
	}
	root, found := migrator.FindProject(wd)
	if !found {
		return false, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintf(env.Stderr, "note: this solarview's views are those it was built with; install Go, or rebuild it (go install ./cmd/solarview), to use the project's\n")
		return false, nil
	}
	fmt.Fprintf(env.Stderr, "note: running the project's own solarview (go run %s) so that its views are the ones in the code\n", filepath.Join(root, "cmd", "solarview"))
	cmd := exec.CommandContext(ctx, goBin, append([]string{"run", filepath.Join(root, "cmd", "solarview")}, env.args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, env.RawStdout, env.Stderr
	cmd.Env = append(os.Environ(), projectRunEnv+"=1")
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit):
		// It has said what went wrong; only its exit code is left to pass on.
		return true, exitError{code: exit.ExitCode()}
	}
	return true, fmt.Errorf("running the project's solarview: %w", err)
}

// builtByGo reports whether the executable at path is one that `go run` or
// `go test` built in a temporary go-build directory: its code is the
// checkout's.
func builtByGo(path string) bool {
	return strings.Contains(filepath.ToSlash(path), "/go-build")
}
