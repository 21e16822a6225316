package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/solarview/solarview/internal/ingest"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "load NEM12, interval CSV or Ausgrid files, each in one transaction",
		ArgsUsage: "FILE...|-",
		Description: `Formats (detected from the content with --format auto):
  nem12    AEMO meter data (100/200/300/400/500/900 records). Each NMI is a site;
           E channels are grid import, B channels export, others are ignored.
  csv      a header with timestamp and any of generation (GG), consumption (GC),
           import, export, CL, import_register, export_register; values in --unit
           (energy per interval, or with W/kW the average power over it).
           Consumption and generation alone give the net import and export of
           each interval. Needs --site.
  ausgrid  Ausgrid's "Solar home electricity data" (Customer,Generator Capacity,
           Postcode,Consumption Category,date,0:30,...,0:00): a site per customer.

Each file is imported whole or not at all, in its own transaction. A refused
file is named with the reason and the others are still imported; the command
ends with a line per file and exits 1 if any was refused (--fail-fast stops at
the first instead). A valid file with no import or export energy imports
nothing and is not an error. Re-importing a file changes nothing; a newer file
replaces the intervals it covers and says how many. "-" reads standard input.
Ctrl-C keeps the files already imported and nothing of the one under way.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "auto", Usage: "auto, nem12, csv or ausgrid"},
			&cli.StringFlag{Name: "site", Usage: "site `NAME` (created if missing): required for CSV; optional for Ausgrid and for a NEM12 file of one NMI"},
			&cli.StringFlag{Name: "tz", Usage: "IANA time `ZONE` of timestamps without an offset, and of new sites (default: the site's zone, else " + ingest.DefaultTimeZone + ")"},
			&cli.StringFlag{Name: "unit", Value: "kWh", Usage: "unit of CSV values: Wh or kWh, or W or kW for average power over each interval (a unit in a column name wins)"},
			&cli.BoolFlag{Name: "fail-fast", Usage: "stop at the first refused file (the files before it stay imported)"},
		},
		Action: leaf(importOptsFrom, importFiles),
	}
}

type importOpts struct {
	// Files are the files to import, in order; "-" is standard input.
	Files  []string
	Format string
	// Site is --site, nil when not given.
	Site     *string
	TimeZone string
	Unit     string
	FailFast bool

	// Set by Validate.
	format ingest.Format
	unit   ingest.Unit
}

func importOptsFrom(c *cli.Context) *importOpts {
	return &importOpts{Files: c.Args().Slice(), Format: c.String("format"), Site: optional(c, "site"),
		TimeZone: c.String("tz"), Unit: c.String("unit"), FailFast: c.Bool("fail-fast")}
}

func (o *importOpts) Validate() error {
	if err := checkNameFlag("site", "site", o.Site); err != nil {
		return err
	}
	var err error
	if o.format, err = ingest.ParseFormat(o.Format); err != nil {
		return err
	}
	if o.unit, err = ingest.ParseUnit(o.Unit); err != nil {
		return err
	}
	stdin := 0
	for _, path := range o.Files {
		if path == "-" {
			if stdin++; stdin > 1 {
				return fmt.Errorf("standard input (-) can be imported once only")
			}
		}
	}
	return nil
}

// importOutcome is what became of one file of a batch.
type importOutcome struct {
	file string
	res  *ingest.Result // nil when refused
	err  error
}

// importFiles imports each file in its own transaction, going on past a
// refused one unless it stops at the first (--fail-fast, or a single file).
func importFiles(ctx context.Context, env *Env, opts *importOpts) error {
	files := opts.Files
	batch := len(files) > 1
	failFast := opts.FailFast || !batch
	site := ""
	if opts.Site != nil {
		site = *opts.Site
	}
	var outcomes []importOutcome
	var total importTotals
	for i, path := range files {
		if ctx.Err() != nil {
			return importInterrupted(path, outcomes, files[i+1:])
		}
		res, err := importFile(ctx, env, path, ingest.Options{
			Format:   opts.format,
			Site:     site,
			TimeZone: opts.TimeZone,
			Unit:     opts.unit,
			Stdin:    env.Stdin,
		})
		if err != nil && ctx.Err() != nil {
			return importInterrupted(path, outcomes, files[i+1:])
		}
		outcomes = append(outcomes, importOutcome{file: displayName(path), res: res, err: err})
		switch {
		case err != nil && failFast:
			if imported := countImported(outcomes); imported > 0 {
				fmt.Fprintf(env.Stderr, "(%d file(s) before %s were imported)\n", imported, path)
			}
			return err
		case err != nil:
			fmt.Fprintf(env.Stderr, "solarview: %s\n", err)
		case res.Rows == 0:
			writeNothingToImport(env.Stdout, res)
		default:
			writeImportSummary(env.Stdout, res)
			total.add(res)
		}
	}
	if !batch {
		return nil
	}
	refused := writeBatchSummary(env.Stdout, outcomes, &total)
	if refused > 0 {
		return exitError{msg: fmt.Sprintf("%d of %d files refused", refused, len(files)), code: 1}
	}
	return nil
}

// importFile imports one file with a progress bar on a terminal. A path
// that does not exist is refused here with the reason alone, as the shell
// would say it.
func importFile(ctx context.Context, env *Env, path string, opts ingest.Options) (*ingest.Result, error) {
	if path != "-" {
		if fi, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
		} else if fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a file", path)
		}
	}
	db, err := env.DB(ctx)
	if err != nil {
		return nil, err
	}
	bar := newImportProgress(env.Stdout, env.Stderr, displayName(path))
	opts.Progress = bar.update
	res, err := ingest.Import(ctx, db, path, opts)
	bar.finish()
	return res, err
}

func displayName(path string) string {
	if path == "-" {
		return ingest.StdinName
	}
	return path
}

func countImported(outcomes []importOutcome) int {
	n := 0
	for _, o := range outcomes {
		if o.err == nil && o.res.Rows > 0 {
			n++
		}
	}
	return n
}

// importInterrupted is the one-line error of a batch stopped by Ctrl-C: the
// file under way left nothing behind (its transaction rolled back), the
// files before it stay imported and are named, and those after it were not
// read.
func importInterrupted(path string, done []importOutcome, notRead []string) error {
	msg := fmt.Sprintf("interrupted: nothing from %s was imported", displayName(path))
	var kept []string
	for _, o := range done {
		if o.err == nil && o.res.Rows > 0 {
			kept = append(kept, o.file)
		}
	}
	if len(kept) > 0 {
		msg += "; already imported and kept: " + strings.Join(kept, ", ")
	}
	if len(notRead) > 0 {
		msg += "; not read: " + strings.Join(notRead, ", ")
	}
	return exitError{msg: msg, code: 130}
}

// writeNothingToImport reports a valid file that held nothing for the
// tables, and what it skipped.
func writeNothingToImport(w io.Writer, r *ingest.Result) {
	fmt.Fprintf(w, "Nothing to import from %s (%s): no import or export energy, no generation, no register readings\n", r.File, formatNames[r.Format])
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %-11s %s\n", "note:", n)
	}
}

// writeBatchSummary ends a batch with a line per file and the total, and
// returns how many files were refused.
func writeBatchSummary(w io.Writer, outcomes []importOutcome, total *importTotals) (refused int) {
	nothing := 0
	fmt.Fprintln(w, "Summary:")
	for _, o := range outcomes {
		switch {
		case o.err != nil:
			refused++
			fmt.Fprintf(w, "  %s: refused: %s\n", o.file, refusalReason(o.file, o.err))
		case o.res.Rows == 0:
			nothing++
			what := "nothing to import"
			if len(o.res.Notes) > 0 {
				what += " (" + strings.Join(o.res.Notes, "; ") + ")"
			}
			fmt.Fprintf(w, "  %s: %s\n", o.file, what)
		default:
			r := o.res
			fmt.Fprintf(w, "  %s: imported, %s rows (%s new, %s replaced, %s unchanged)\n", o.file,
				importCount(r.Rows), importCount(r.Inserted), importCount(r.Replaced), importCount(r.Unchanged))
		}
	}
	fmt.Fprintf(w, "%d files: %d imported, %d with nothing to import, %d refused; ", len(outcomes), total.files, nothing, refused)
	total.write(w)
	return refused
}

// refusalReason is an error without the file name the summary line
// already starts with: "line 3: …" for a fault in the file.
func refusalReason(file string, err error) string {
	var pe *ingest.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %s", pe.Line, pe.Msg)
	}
	return strings.TrimPrefix(err.Error(), file+": ")
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// importProgress draws a progress bar on stderr while a file is read, but
// only when both stdout and stderr are terminals: piped or captured output
// gets no bar and no control characters.
type importProgress struct {
	w     io.Writer
	file  string
	mu    sync.Mutex
	phase string
	bar   *progressbar.ProgressBar
}

func newImportProgress(stdout, stderr io.Writer, file string) *importProgress {
	if !isTerminal(stdout) || !isTerminal(stderr) {
		return nil
	}
	return &importProgress{w: stderr, file: file}
}

// update is an ingest.Progress; a nil receiver draws nothing.
func (p *importProgress) update(phase string, done, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || phase != p.phase {
		if p.bar != nil {
			_ = p.bar.Finish()
		}
		p.phase = phase
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%s: %s", p.file, phase)),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = p.bar.Set64(done)
}

func (p *importProgress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

var formatNames = map[ingest.Format]string{
	ingest.FormatNEM12: "NEM12", ingest.FormatCSV: "CSV", ingest.FormatAusgrid: "Ausgrid",
}

// writeImportSummary tells a person what one file did to the database.
func writeImportSummary(w io.Writer, r *ingest.Result) {
	fmt.Fprintf(w, "Imported %s (%s) in %s\n", r.File, formatNames[r.Format], roundDuration(r.Elapsed))
	var sites []string
	for _, s := range r.Sites {
		d := s.Name
		var extra []string
		if s.Key.NMI != "" && s.Key.NMI != s.Name {
			extra = append(extra, "NMI "+s.Key.NMI)
		}
		if s.Created {
			extra = append(extra, "new, "+s.TimeZone)
		}
		if len(extra) > 0 {
			d += " (" + strings.Join(extra, ", ") + ")"
		}
		sites = append(sites, d)
	}
	row := func(label, value string) { fmt.Fprintf(w, "  %-11s %s\n", label+":", value) }
	row("sites", strings.Join(sites, ", "))
	for _, s := range r.Series {
		label := s.Channel + " " + s.Direction
		if s.Channel == s.Direction {
			label = s.Direction // CSV and Ausgrid flows: channel "import" is the import
		}
		unit := "intervals"
		switch s.Table {
		case "generation":
			label = "generation"
		case "import_cumulative":
			label, unit = "import register", "readings"
		case "export_cumulative":
			label, unit = "export register", "readings"
		}
		if len(r.Sites) > 1 {
			label = s.Site + " " + label
		}
		energy := importEnergy(s.Energy) + " total"
		if unit == "readings" {
			energy = "last " + importEnergy(s.Energy)
		}
		row("channel", fmt.Sprintf("%-24s %s %s, %s", label, importCount(s.Rows), unit, energy))
	}
	zone := r.Location.String()
	if r.Format == ingest.FormatNEM12 {
		zone = "NEM time, UTC+10"
	}
	const layout = "2006-01-02 15:04"
	row("period", fmt.Sprintf("%s to %s (%s)", r.From.In(r.Location).Format(layout), r.To.In(r.Location).Format(layout), zone))
	written := fmt.Sprintf("%s new, %s replaced, %s unchanged", importCount(r.Inserted), importCount(r.Replaced), importCount(r.Unchanged))
	if r.Kept > 0 {
		written += fmt.Sprintf(", %s kept (stored readings updated later)", importCount(r.Kept))
	}
	if r.Inserted == 0 && r.Replaced == 0 {
		written += " — nothing changed"
	}
	// The series count every row the file gives; r.Rows counts each
	// interval once when the file repeats some. Show the file's count, so
	// that it matches the intervals below, and how many were repeats.
	var inFile int64
	for _, s := range r.Series {
		inFile += s.Rows
	}
	if inFile > r.Rows {
		row("rows", fmt.Sprintf("%s in the file, %s of them repeats (the last kept): %s", importCount(inFile), importCount(inFile-r.Rows), written))
	} else {
		row("rows", fmt.Sprintf("%s in the file: %s", importCount(r.Rows), written))
	}
	if r.IntervalRows > 0 {
		row("non-actual", fmt.Sprintf("%s of %s intervals (%.1f%%) substituted, estimated or null",
			importCount(r.NonActual), importCount(r.IntervalRows), 100*float64(r.NonActual)/float64(r.IntervalRows)))
	}
	for _, n := range r.Notes {
		row("note", n)
	}
}

type importTotals struct {
	files                               int
	rows, inserted, replaced, unchanged int64
	elapsed                             time.Duration
}

func (t *importTotals) add(r *ingest.Result) {
	t.files++
	t.rows += r.Rows
	t.inserted += r.Inserted
	t.replaced += r.Replaced
	t.unchanged += r.Unchanged
	t.elapsed += r.Elapsed
}

func (t *importTotals) write(w io.Writer) {
	fmt.Fprintf(w, "%s rows (%s new, %s replaced, %s unchanged) in %s\n",
		importCount(t.rows), importCount(t.inserted), importCount(t.replaced), importCount(t.unchanged), roundDuration(t.elapsed))
}

func roundDuration(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// importCount writes n with thousands separators.
func importCount(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + importCount(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// importEnergy writes Wh in the unit a person reads best.
func importEnergy(wh float64) string {
	switch {
	case wh >= 1e6:
		return fmt.Sprintf("%.2f MWh", wh/1e6)
	case wh >= 1e3:
		return fmt.Sprintf("%.2f kWh", wh/1e3)
	}
	return fmt.Sprintf("%.1f Wh", wh)
}
