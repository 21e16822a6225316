//go:build !linux

package pgserver

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

// startProcess starts cmd and closes done once it has exited. Outside Linux
// there is no parent-death signal, so a tied server relies on its owner
// calling Stop (dbtest.Main does).
func startProcess(cmd *exec.Cmd, tied bool, done chan struct{}) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait(); close(done) }()
	return nil
}

// processAlive reports whether pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// processDir is unknown outside Linux: the caller asks the server instead.
func processDir(pid int) (string, error) {
	return "", fmt.Errorf("no /proc to read the directory of process %d from", pid)
}
