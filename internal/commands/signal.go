package commands

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Run is the entry point for cmd/solarview: it runs Main on os.Args and
// returns the exit code. Ctrl-C, SIGTERM or SIGHUP (the terminal closed)
// cancels the context, so long imports and migrations roll back, and
// scratch databases are dropped, instead of dying half-way.
func Run() int {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	return Main(ctx, os.Args, os.Stdout, os.Stderr)
}
