package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/solarview/solarview/internal/dbtest"
)

// reactiveOnly is a valid NEM12 file whose channels hold no energy.
const reactiveOnly = "100,NEM12,200505181432,A,B\n" +
	"200,NMIQ,E1Q1K1,Q1,Q1,N1,1,kVArh,30,\n300,20240101,1" + ",1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1" + ",A,,,,\n" +
	"200,NMIQ,E1Q1K1,K1,K1,N1,1,kVArh,30,\n300,20240101" + ",2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2" + ",A,,,,\n900\n"

// TestImportNothingToImport: a file with no import or export energy is a
// success that writes nothing, not even a site, and names what it skipped.
func TestImportNothingToImport(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	before := snapshot(t, db)
	p := filepath.Join(t.TempDir(), "reactive.csv")
	if err := os.WriteFile(p, []byte(reactiveOnly), 0o644); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, db, p, Options{})
	if res.Rows != 0 || res.Inserted != 0 || len(res.Sites) != 0 || res.Format != FormatNEM12 {
		t.Errorf("result %+v", res)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "ignored 96 intervals of channel(s) K1, Q1") {
		t.Errorf("notes %q", res.Notes)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("nothing to import changed the database:\n%s\n%s", before, after)
	}
}

// TestImportStdinAndPipes: "-" reads Options.Stdin, a named pipe is read
// once into a private temporary file, and both import like the file itself;
// the temporary file is gone afterwards.
func TestImportStdinAndPipes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := nem12Day(t, 30, map[string]string{"20240101": "1", "20240102": "2"})
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	db := dbtest.NewMigratedDB(t)
	res, err := Import(ctx, db, "-", Options{Stdin: strings.NewReader(strings.ReplaceAll(string(data), "\n", "\r"))})
	if err != nil || res.File != StdinName || res.Rows != 96 || res.Inserted != 96 {
		t.Fatalf("stdin: %+v, %v", res, err)
	}
	want := snapshot(t, db)

	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		_, _ = f.Write(data)
	}()
	db2 := dbtest.NewMigratedDB(t)
	res, err = Import(ctx, db2, fifo, Options{})
	if err != nil || res.File != fifo || res.Inserted != 96 {
		t.Fatalf("pipe: %+v, %v", res, err)
	}
	if got := snapshot(t, db2); got != want {
		t.Errorf("the pipe loaded other data than stdin:\n%s\n%s", got, want)
	}
	if left := leftSpooled(t, func(b []byte) bool { return bytes.Equal(b, data) }); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Errors name standard input; an empty one is "empty".
	_, err = Import(ctx, db, "-", Options{Stdin: strings.NewReader("")})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != StdinName || !strings.Contains(pe.Msg, "empty") {
		t.Errorf("empty stdin: %v", err)
	}
}

// TestImportDevZero: an endless line is refused with file:line, having
// spooled no more than the line bound.
func TestImportDevZero(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	db := dbtest.NewMigratedDB(t)
	_, err := Import(context.Background(), db, "/dev/zero", Options{Format: FormatNEM12})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "/dev/zero" || pe.Line != 1 || !strings.Contains(pe.Msg, "longer than") {
		t.Errorf("error %v", err)
	}
	zeros := func(b []byte) bool { return len(b) > 0 && len(bytes.Trim(b, "\x00")) == 0 }
	if left := leftSpooled(t, zeros); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestSpoolPrivate: the spooled copy is readable by its owner only.
func TestSpoolPrivate(t *testing.T) {
	t.Parallel()
	p, cleanup, err := spoolInput(context.Background(), "-", StdinName, strings.NewReader("a\r\nb"))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if b, _ := os.ReadFile(p); string(b) != "a\nb" {
		t.Errorf("spooled %q", b)
	}
	cleanup()
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", p, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	// A read that never ends does not hold up a cancelled import.
	if _, _, err := spoolInput(ctx, "-", StdinName, r); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled spool: %v", err)
	}
}

// leftSpooled lists this process's spooled files whose content is one a
// test spooled: its own leftovers, told apart by what they hold from the
// files of the tests running beside it.
func leftSpooled(t *testing.T, ours func([]byte) bool) []string {
	t.Helper()
	var left []string
	for _, f := range spooledFiles(t) {
		if b, err := os.ReadFile(f); err == nil && ours(b) {
			left = append(left, f)
		}
	}
	return left
}

// spooledFiles lists the import's temporary files.
func spooledFiles(t *testing.T) []string {
	t.Helper()
	// This process's only: other test binaries of the run spool too.
	files, err := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("solarview-import-%d-*", os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestImportCancelledWhileLoading: Ctrl-C while rows stream to the database
// leaves nothing of the file, and the error says the context was cancelled,
// so that the command can tell an interruption from a refusal.
func TestImportCancelledWhileLoading(t *testing.T) {
	t.Parallel()
	db := dbtest.NewMigratedDB(t)
	mustImport(t, db, nem12Day(t, 30, map[string]string{"20240101": "1"}), Options{})
	before := snapshot(t, db)
	for _, days := range []map[string]string{
		{"20240301": "1", "20240302": "2"}, // new data: straight COPY
		{"20240101": "5", "20240102": "2"}, // overlapping: staging and merge
	} {
		ctx, cancel := context.WithCancel(context.Background())
		_, err := Import(ctx, db, nem12Day(t, 30, days), Options{Progress: func(phase string, done, total int64) {
			if strings.HasPrefix(phase, "loading") {
				cancel()
			}
		}})
		cancel()
		if err == nil || ctx.Err() == nil {
			t.Errorf("%v: error %v after cancelling", days, err)
		}
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("a cancelled import changed the database:\n%s\n%s", before, after)
	}
}
