package migratecmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

// The runner samples the index builds of no-transaction files
// (versioned.MigratorOptions.OnProgress), and the planner those of the
// steps Apply runs outside a transaction (migrate.AutoOptions.
// OnIndexProgress); the commands show them on stderr: on a terminal as
// one line rewritten in place, elsewhere (a CI log, a pipe) as one JSON
// object per sample, so logs stay greppable and machines can follow
// along.

// progressOut writes samples to a writer in the form that suits it.
type progressOut struct {
	live *liveLine // on a terminal
	mu   sync.Mutex
	enc  *json.Encoder // elsewhere
	w    io.Writer
}

func newProgressOut(w io.Writer) *progressOut {
	if isTerminal(w) {
		return &progressOut{live: &liveLine{w: w}, w: w}
	}
	return &progressOut{enc: json.NewEncoder(w), w: w}
}

// lines is the writer the commands' other progress lines go to: on a
// terminal one that first erases the live line, elsewhere w itself.
func (o *progressOut) lines() io.Writer {
	if o.live != nil {
		return o.live
	}
	return o.w
}

// show writes one sample: line on a terminal, event elsewhere.
func (o *progressOut) show(line string, event any) {
	if o.live != nil {
		o.live.show(line)
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = o.enc.Encode(event)
}

// file shows a sample of a migration file's index build.
func (o *progressOut) file(p versioned.Progress) {
	o.show(fileProgressLine(p), fileProgressEvent{Event: "index_progress", Progress: p, Percent: p.Percent()})
}

// step shows a sample of a planner step's index build.
func (o *progressOut) step(p migrate.IndexProgress) {
	o.show(stepProgressLine(p), stepProgressEvent{Event: "index_progress", IndexProgress: p, Percent: p.Percent()})
}

// liveLine is a terminal line rewritten in place by show; a Write of any
// other output erases it first. show is called from a sampling
// goroutine, Write from the command's.
type liveLine struct {
	mu      sync.Mutex
	w       io.Writer
	pending bool
}

func (l *liveLine) show(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = fmt.Fprint(l.w, "\r"+line+"\x1b[K")
	l.pending = true
}

func (l *liveLine) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending {
		l.pending = false
		if _, err := io.WriteString(l.w, "\r\x1b[K"); err != nil {
			return 0, err
		}
	}
	return l.w.Write(b)
}

// fileProgressEvent is the JSON form of a file's sample.
type fileProgressEvent struct {
	Event string `json:"event"`
	versioned.Progress
	Percent float64 `json:"percent"`
}

// stepProgressEvent is the JSON form of a planner step's sample.
type stepProgressEvent struct {
	Event string `json:"event"`
	migrate.IndexProgress
	Percent float64 `json:"percent"`
}

// fileProgressLine is the terminal form of a file's sample, e.g.
// "  3 0003_v2_online.up.sql: CREATE INDEX CONCURRENTLY, building index: scanning table 42.0% (1234/2938 blocks) 3s".
func fileProgressLine(p versioned.Progress) string {
	return progressLine(fmt.Sprintf("%d %s", p.Version, p.Source), p.Command, p.Phase,
		p.BlocksDone, p.BlocksTotal, p.TuplesDone, p.TuplesTotal, p.Percent(), p.Elapsed)
}

// stepProgressLine is the terminal form of a step's sample, e.g.
// "  create_index public.big: CREATE INDEX CONCURRENTLY, building index: scanning table 42.0% (1234/2938 blocks) 3s".
func stepProgressLine(p migrate.IndexProgress) string {
	return progressLine(fmt.Sprintf("%s %s", p.Kind, p.Table), p.Command, p.Phase,
		p.BlocksDone, p.BlocksTotal, p.TuplesDone, p.TuplesTotal, p.Percent(), p.Elapsed)
}

func progressLine(what, command, phase string, blocksDone, blocksTotal, tuplesDone, tuplesTotal int64, pct float64, elapsed time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s: %s, %s", what, command, phase)
	switch {
	case blocksTotal > 0:
		fmt.Fprintf(&b, " %.1f%% (%d/%d blocks)", pct, blocksDone, blocksTotal)
	case tuplesTotal > 0:
		fmt.Fprintf(&b, " %.1f%% (%d/%d tuples)", pct, tuplesDone, tuplesTotal)
	}
	fmt.Fprintf(&b, " %s", elapsed.Round(time.Second))
	return b.String()
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
