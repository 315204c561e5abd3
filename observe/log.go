package observe

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/internal/redact"
	"github.com/rs/zerolog"
)

// DefaultSlowThreshold is the duration from which a call is logged as slow
// when LogConfig.SlowThreshold is zero.
const DefaultSlowThreshold = 500 * time.Millisecond

// LogConfig holds the rules shared by the zerolog and slog observers.
//
// Levels: a successful call is logged at debug, a slow one at warn, a
// failed one at error. pgx.ErrNoRows and a context canceled by the caller
// are expected outcomes and logged at debug. Releases are logged at
// zerolog's trace level (slog: debug-4).
type LogConfig struct {
	// SlowThreshold is the duration from which a successful call is slow.
	// Default (zero): DefaultSlowThreshold. Negative: nothing is slow.
	SlowThreshold time.Duration

	// SlowOnly makes the observer a slow-query log: it writes slow calls
	// only, and nothing else (not even failures).
	SlowOnly bool

	// Mask decides how parameter values appear; the zero value shows type
	// and length only.
	Mask Mask

	// ErrorDetail adds the server's Detail and Where fields and the raw
	// error text (with the server's message as sent). They quote row
	// values, so it is off by default; turn it on only where logs may hold
	// user data.
	ErrorDetail bool
}

type level int8

const (
	levelTrace level = iota
	levelDebug
	levelWarn
	levelError
)

func (l level) zerolog() zerolog.Level {
	switch l {
	case levelTrace:
		return zerolog.TraceLevel
	case levelDebug:
		return zerolog.DebugLevel
	case levelWarn:
		return zerolog.WarnLevel
	}
	return zerolog.ErrorLevel
}

// verdict is what a log observer should write for an event.
type verdict struct {
	level level
	msg   string
	slow  bool
}

// slowThreshold returns SlowThreshold with its default applied; zero or
// less means nothing is slow.
func (c *LogConfig) slowThreshold() time.Duration {
	if c.SlowThreshold == 0 {
		return DefaultSlowThreshold
	}
	return c.SlowThreshold
}

// judge decides the level and message of e; ok is false when SlowOnly
// filters it out.
func (c *LogConfig) judge(e *Event) (v verdict, ok bool) {
	name := e.Kind.String()
	threshold := c.slowThreshold()
	outcome := e.Outcome()
	v.slow = threshold > 0 && e.Duration >= threshold && outcome != OutcomeError
	switch {
	case v.slow:
		v.level, v.msg = levelWarn, "slow "+name
	case outcome == OutcomeError:
		v.level, v.msg = levelError, name+" failed"
	case outcome == OutcomeCanceled:
		v.level, v.msg = levelDebug, name+" canceled"
	case e.Kind == KindRelease:
		v.level, v.msg = levelTrace, name
	default:
		v.level, v.msg = levelDebug, name
	}
	return v, v.slow || !c.SlowOnly
}

// Logger is an Observer writing one zerolog event per call. It logs with
// the logger in the call's context (zerolog.Ctx), so a request logger's
// fields (correlation id, user, trace id) appear on every line, and falls
// back to the logger it was built with. Fields from WithFields and
// WithCorrelationID are added as well.
type Logger struct {
	fallback zerolog.Logger
	cfg      LogConfig
}

// NewLogger returns a zerolog Observer using l when the context carries
// no logger. Pass zerolog.Nop() to log only for contexts that carry one.
func NewLogger(l zerolog.Logger, cfg LogConfig) *Logger {
	return &Logger{fallback: l, cfg: cfg}
}

// Observes implements KindFilter: releases have no context, so they are
// logged through the fallback logger only, and only when it (and zerolog's
// global level) allows the trace level.
func (l *Logger) Observes(k Kind) bool {
	if k != KindRelease {
		return true
	}
	return !l.cfg.SlowOnly && l.fallback.GetLevel() <= zerolog.TraceLevel && zerolog.GlobalLevel() <= zerolog.TraceLevel
}

// Observe implements Observer.
func (l *Logger) Observe(ctx context.Context, e *Event) {
	v, ok := l.cfg.judge(e)
	if !ok {
		return
	}
	logger := zerolog.Ctx(ctx)
	if logger.GetLevel() == zerolog.Disabled {
		logger = &l.fallback
	}
	ev := logger.WithLevel(v.level.zerolog())
	if ev == nil {
		return
	}
	l.fields(ctx, ev, e, v)
	ev.Msg(v.msg)
}

func (l *Logger) fields(ctx context.Context, ev *zerolog.Event, e *Event, v verdict) {
	ev.Str("op", e.Op())
	if e.Statement != nil {
		ev.Str("sql", e.Statement.SQL).Str("fingerprint", e.Statement.Fingerprint)
	}
	ev.Dur("duration", e.Duration)
	switch e.Kind {
	case KindQuery, KindCopy:
		ev.Int64("rows", e.Rows)
	case KindBatch:
		ev.Int64("rows", e.Rows).Int("queries", e.Queries)
	}
	if e.Endpoint != "" {
		ev.Str("endpoint", e.Endpoint)
	}
	if e.Table != "" {
		ev.Str("table", e.Table)
	}
	if e.Name != "" {
		ev.Str("name", e.Name)
	}
	if e.Kind == KindConnect {
		ev.Str("database", e.Database).Str("host", e.Host).Uint16("port", e.Port)
	}
	if len(e.Args) > 0 {
		ev.Strs("args", l.cfg.Mask.Args(e.Args))
	}
	if v.slow {
		ev.Bool("slow", true)
	}
	if e.Err != nil {
		for _, f := range errorFields(e.Err, l.cfg.ErrorDetail) {
			ev.Str(f.Key, f.Value.(string))
		}
	}
	walkFields(ctx, func(f Field) { ev.Interface(f.Key, f.Value) })
}

// errorFields lists the loggable fields of err: "error" (see ErrorText),
// and for server errors "sqlstate" and the object names. With detail, the
// value-bearing parts are added too.
func errorFields(err error, detail bool) []Field {
	fields := []Field{{Key: "error", Value: ErrorText(err)}}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		fields = append(fields, Field{Key: "sqlstate", Value: redact.SQLState(pgErr.Code)})
		for _, f := range []Field{
			{Key: "constraint", Value: pgErr.ConstraintName},
			{Key: "error_schema", Value: pgErr.SchemaName},
			{Key: "error_table", Value: pgErr.TableName},
			{Key: "error_column", Value: pgErr.ColumnName},
		} {
			if f.Value != "" {
				fields = append(fields, f)
			}
		}
		if detail {
			fields = append(fields,
				Field{Key: "detail", Value: pgErr.Detail},
				Field{Key: "where", Value: pgErr.Where})
		}
	}
	if detail {
		fields = append(fields, Field{Key: "error_raw", Value: err.Error()})
	}
	return fields
}

// walkFields calls fn for each field in ctx, oldest first.
func walkFields(ctx context.Context, fn func(Field)) {
	head, _ := ctx.Value(fieldsKey{}).(*fieldList)
	walkList(head, fn)
}

func walkList(f *fieldList, fn func(Field)) {
	if f == nil {
		return
	}
	walkList(f.next, fn)
	fn(f.Field)
}
