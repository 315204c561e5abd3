package migratecmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/normkit/norm/migrate/versioned"
)

// The runner samples the index builds of no-transaction files
// (versioned.MigratorOptions.OnProgress); the commands show them on
// stderr: on a terminal as one line rewritten in place, elsewhere (a CI
// log, a pipe) as one JSON object per sample, so logs stay greppable and
// machines can follow along.

// progressPrinter returns the OnProgress that writes samples to w, and
// the writer the other progress lines go to: on a terminal a live line
// that the next other line first erases, elsewhere JSON lines and w
// itself.
func progressPrinter(w io.Writer) (func(versioned.Progress), io.Writer) {
	if isTerminal(w) {
		l := &liveLine{w: w}
		return l.show, l
	}
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	return func(p versioned.Progress) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(progressEvent{Event: "index_progress", Progress: p, Percent: p.Percent()})
	}, w
}

// liveLine is a terminal line rewritten in place by show; a Write of any
// other output erases it first. show is called from the runner's
// sampling goroutine, Write from the command's.
type liveLine struct {
	mu      sync.Mutex
	w       io.Writer
	pending bool
}

func (l *liveLine) show(p versioned.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = fmt.Fprint(l.w, "\r"+progressLine(p)+"\x1b[K")
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

// progressEvent is the JSON form of one sample.
type progressEvent struct {
	Event string `json:"event"`
	versioned.Progress
	Percent float64 `json:"percent"`
}

// progressLine is the terminal form of one sample, e.g.
// "  3 0003_v2_online.up.sql: CREATE INDEX CONCURRENTLY, building index: scanning table 42.0% (1234/2938 blocks) 3s".
func progressLine(p versioned.Progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %d %s: %s, %s", p.Version, p.Source, p.Command, p.Phase)
	switch {
	case p.BlocksTotal > 0:
		fmt.Fprintf(&b, " %.1f%% (%d/%d blocks)", p.Percent(), p.BlocksDone, p.BlocksTotal)
	case p.TuplesTotal > 0:
		fmt.Fprintf(&b, " %.1f%% (%d/%d tuples)", p.Percent(), p.TuplesDone, p.TuplesTotal)
	}
	fmt.Fprintf(&b, " %s", p.Elapsed.Round(time.Second))
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
