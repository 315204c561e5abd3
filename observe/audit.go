package observe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/rs/zerolog"
)

// AuditEvent is one change to one row, as handed to an Auditor. It is the
// contract between norm's repo module (the producer, where it is called
// AuditRecord) and this package's sinks, and it is an alias of an unnamed
// struct type on purpose: Go treats two unnamed struct types with the same
// fields (names, types, order, tags) as one type, so repo declares
//
//	type AuditRecord = struct { /* the same fields, in the same order */ }
//	type Auditor interface { Audit(ctx context.Context, r AuditRecord) error }
//
// without importing observe, and *AuditLog satisfies repo's Auditor. A
// change to these fields must be made in both modules at once.
type AuditEvent = struct {
	// At is when the change happened. Default: the time Audit is called.
	At time.Time
	// Actor is who made the change (user id, service name). Optional.
	Actor string
	// Operation is what repo did: "create", "update", "delete",
	// "soft_delete", "restore" or "upsert". Required.
	Operation string
	// Table is the table changed, schema-qualified if needed. Required.
	Table string
	// Key is the primary key of the row, column name to value. Written in
	// clear unless a key column is sensitive.
	Key map[string]any
	// Changed lists the columns whose values the change changed; repo
	// fills it from the row before and after (see repo.AuditRecord), nil
	// when the row before is unknown (create, upsert, delete).
	Changed []string
	// Before is the row before the change, column to value, when known
	// (nil for a create).
	Before map[string]any
	// After is the row after the change, when known (nil for a delete).
	After map[string]any
}

// Auditor records audit events. Audit must write the event, or fail: a nil
// error means the record was handed to its destination. repo's Auditor
// contract is this method set.
type Auditor interface {
	Audit(ctx context.Context, e AuditEvent) error
}

// ErrInvalidAuditEvent is returned, wrapped, for an AuditEvent missing a
// required field.
var ErrInvalidAuditEvent = errors.New("observe: invalid audit event")

// AuditConfig configures the audit sinks.
type AuditConfig struct {
	// Sensitive reports whether a column of a table is sensitive: its
	// values, in Key, Before and After, are written as Mask describes them,
	// never in clear. Default: nil, no column is sensitive. SensitiveColumns
	// builds one from a list.
	Sensitive func(table, column string) bool

	// Mask decides how sensitive values appear. Default: type and length.
	// Mask.Reveal and Mask.Redact receive n = 0, since audit values are not
	// parameters.
	Mask Mask

	// Now returns the time used when AuditEvent.At is zero. Default: time.Now.
	Now func() time.Time
}

// AuditLog is an Auditor writing one zerolog event (level info, message
// "audit") per change. Values of columns AuditConfig.Sensitive marks are
// masked.
// zerolog reports write failures to zerolog.ErrorHandler rather than to
// the caller, so Audit fails only for invalid events; use a writer that
// cannot lose records (a file, not a network socket) for audit logs.
type AuditLog struct {
	logger zerolog.Logger
	cfg    AuditConfig
}

// NewAuditLog returns an Auditor writing to l. Fields from the context
// (WithFields, WithCorrelationID) are added to each record.
func NewAuditLog(l zerolog.Logger, cfg AuditConfig) *AuditLog {
	return &AuditLog{logger: l, cfg: cfg}
}

// Audit implements Auditor.
func (a *AuditLog) Audit(ctx context.Context, e AuditEvent) error {
	r, err := newAuditRecord(e, &a.cfg)
	if err != nil {
		return err
	}
	ev := a.logger.Info().
		Str("actor", r.Actor).Str("operation", r.Operation).Str("table", r.Table).
		Time("at", r.At).Interface("key", r.Key).Strs("changed", r.Changed)
	if r.Before != nil {
		ev.Interface("before", r.Before)
	}
	if r.After != nil {
		ev.Interface("after", r.After)
	}
	walkFields(ctx, func(f Field) { ev.Interface(f.Key, f.Value) })
	ev.Msg("audit")
	return nil
}

// SlogAudit is an Auditor writing one slog record (level info, message
// "audit") per change, with the same masking as AuditLog.
type SlogAudit struct {
	logger *slog.Logger
	cfg    AuditConfig
}

// NewSlogAudit returns an Auditor writing to l (slog.Default() when nil).
func NewSlogAudit(l *slog.Logger, cfg AuditConfig) *SlogAudit {
	if l == nil {
		l = slog.Default()
	}
	return &SlogAudit{logger: l, cfg: cfg}
}

// Audit implements Auditor.
func (a *SlogAudit) Audit(ctx context.Context, e AuditEvent) error {
	r, err := newAuditRecord(e, &a.cfg)
	if err != nil {
		return err
	}
	attrs := []slog.Attr{
		slog.String("actor", r.Actor), slog.String("operation", r.Operation),
		slog.String("table", r.Table), slog.Time("at", r.At),
		slog.Any("key", r.Key), slog.Any("changed", r.Changed),
	}
	if r.Before != nil {
		attrs = append(attrs, slog.Any("before", r.Before))
	}
	if r.After != nil {
		attrs = append(attrs, slog.Any("after", r.After))
	}
	walkFields(ctx, func(f Field) { attrs = append(attrs, slog.Any(f.Key, f.Value)) })
	a.logger.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
	return nil
}

// newAuditRecord validates e and returns a copy with sensitive values
// masked. The copy shares nothing with e, so the record written is
// immutable whatever the caller does with its maps afterwards.
func newAuditRecord(e AuditEvent, cfg *AuditConfig) (AuditEvent, error) {
	switch {
	case e.Table == "":
		return e, fmt.Errorf("%w: table is empty (operation %q)", ErrInvalidAuditEvent, e.Operation)
	case e.Operation == "":
		return e, fmt.Errorf("%w: operation is empty (table %q)", ErrInvalidAuditEvent, e.Table)
	}
	if e.At.IsZero() {
		now := cfg.Now
		if now == nil {
			now = time.Now
		}
		e.At = now()
	}
	sensitive := func(col string) bool {
		return cfg.Sensitive != nil && cfg.Sensitive(e.Table, col)
	}
	e.Key = maskColumns(e.Key, sensitive, &cfg.Mask)
	e.Before = maskColumns(e.Before, sensitive, &cfg.Mask)
	e.After = maskColumns(e.After, sensitive, &cfg.Mask)
	e.Changed = slices.Clone(e.Changed)
	sort.Strings(e.Changed)
	return e, nil
}

// SensitiveColumns returns an AuditConfig.Sensitive function marking the
// given columns. An entry "table.column" marks a column of one table; a
// bare "column" marks that column in every table.
func SensitiveColumns(columns ...string) func(table, column string) bool {
	set := make(map[string]bool, len(columns))
	for _, c := range columns {
		set[c] = true
	}
	return func(table, column string) bool {
		return set[column] || set[table+"."+column]
	}
}

func maskColumns(m map[string]any, sensitive func(string) bool, mask *Mask) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for col, v := range m {
		if sensitive(col) {
			out[col] = mask.Value(0, v)
		} else {
			out[col] = v
		}
	}
	return out
}
