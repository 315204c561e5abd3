package notes

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"github.com/normkit/norm/observe"
	"github.com/rs/zerolog"
)

// ExpvarName is the expvar variable the service publishes its database
// metrics under (/internal/debug/vars).
const ExpvarName = "norm_demo"

// LogBuffer is a goroutine-safe in-memory log sink for the logs the
// report quotes (slow queries, audit records, errors).
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Lines returns the lines written so far.
func (b *LogBuffer) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.FieldsFunc(b.buf.String(), func(r rune) bool { return r == '\n' })
}

// newTracer returns the tracer for the pool: a slow-query log (slow
// statements only, parameters masked) into slow, and metrics into the
// expvar variable ExpvarName. pool hands each server's connections a
// copy labeled "primary" or "replica" (Tracer.ForEndpoint), so every
// line and metric names the server that ran the statement.
func newTracer(slow *LogBuffer, threshold time.Duration) (*observe.Tracer, error) {
	metrics, err := observe.NewExpvar(ExpvarName)
	if err != nil {
		return nil, err
	}
	logger := zerolog.New(slow)
	return observe.New(observe.Config{
		Observers: []observe.Observer{
			observe.NewLogger(logger, observe.LogConfig{SlowOnly: true, SlowThreshold: threshold}),
			observe.MetricsObserver(metrics),
		},
	}), nil
}

// SensitiveColumn is the audited column whose values are masked.
const SensitiveColumn = "notes.body"

// newAuditLog returns the audit sink for note changes: one zerolog line
// per committed change, with note bodies masked (type and length only).
func newAuditLog(w *LogBuffer) *observe.AuditLog {
	return observe.NewAuditLog(zerolog.New(w), observe.AuditConfig{Sensitive: observe.SensitiveColumns(SensitiveColumn)})
}
