package pgserver

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// startProcess starts cmd and closes done once it has exited and been
// reaped. When tied, the kernel sends the process SIGQUIT (immediate
// shutdown) when the thread that forked it exits; that thread is locked to a
// goroutine that lives exactly as long as the child, so the signal comes only
// when this whole process dies.
func startProcess(cmd *exec.Cmd, tied bool, done chan struct{}) error {
	if !tied {
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() { _ = cmd.Wait(); close(done) }()
		return nil
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine, after the child
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(done)
	}()
	return <-started
}

// processAlive reports whether pid is a live (not zombie) postgres process.
// Checking the name catches a stale postmaster.pid whose pid was reused by
// an unrelated process after a crash or reboot.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	// "pid (comm) state ..."; comm may itself contain parentheses.
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open || end+2 >= len(stat) {
		return true
	}
	comm, state := string(stat[open+1:end]), stat[end+2]
	if state == 'Z' || state == 'X' {
		return false
	}
	// comm is the executable's name, at most 15 bytes; packagers sometimes
	// add a suffix (postgres-15).
	return strings.HasPrefix(comm, "postgres") || strings.HasPrefix(comm, "postmaster")
}

// processDir returns the working directory of process pid, from
// /proc/PID/cwd. Reading another user's process fails with a permission
// error.
func processDir(pid int) (string, error) {
	return os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
}
