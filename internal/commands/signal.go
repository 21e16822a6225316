package commands

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// signalContext returns a context cancelled by the first of sigs (and
// SIGTERM), so long imports and migrations roll back instead of dying
// half-way.
func signalContext(parent context.Context, sigs ...os.Signal) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, append(sigs, syscall.SIGTERM)...)
}

// Run is the entry point for cmd/solarview: it runs Main on os.Args with a
// context cancelled by Ctrl-C and returns the exit code.
func Run() int {
	ctx, cancel := exitOnInterrupt()
	defer cancel()
	return Main(ctx, os.Args, os.Stdout, os.Stderr)
}
