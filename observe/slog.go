package observe

import (
	"context"
	"log/slog"
)

// SlogLogger is an Observer writing one log/slog record per call, with the
// same fields, levels and masking as Logger. The call's context is passed
// to the handler, so handlers that read request data from it keep working;
// fields from WithFields and WithCorrelationID are added as attributes.
type SlogLogger struct {
	logger *slog.Logger
	cfg    LogConfig
}

// NewSlogLogger returns a slog Observer. A nil l means slog.Default().
func NewSlogLogger(l *slog.Logger, cfg LogConfig) *SlogLogger {
	if l == nil {
		l = slog.Default()
	}
	return &SlogLogger{logger: l, cfg: cfg}
}

func (l level) slog() slog.Level {
	switch l {
	case levelTrace:
		return slog.LevelDebug - 4
	case levelDebug:
		return slog.LevelDebug
	case levelWarn:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// Observes implements KindFilter: releases are handled only when the
// handler is enabled for debug-4, the level they are logged at.
func (l *SlogLogger) Observes(k Kind) bool {
	if k != KindRelease {
		return true
	}
	return !l.cfg.SlowOnly && l.logger.Enabled(context.Background(), levelTrace.slog())
}

// Observe implements Observer.
func (l *SlogLogger) Observe(ctx context.Context, e *Event) {
	v, ok := l.cfg.judge(e)
	if !ok || !l.logger.Enabled(ctx, v.level.slog()) {
		return
	}
	l.logger.LogAttrs(ctx, v.level.slog(), v.msg, l.attrs(ctx, e, v)...)
}

func (l *SlogLogger) attrs(ctx context.Context, e *Event, v verdict) []slog.Attr {
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs, slog.String("op", e.Op()))
	if e.Statement != nil {
		attrs = append(attrs,
			slog.String("sql", e.Statement.SQL),
			slog.String("fingerprint", e.Statement.Fingerprint))
	}
	attrs = append(attrs, slog.Duration("duration", e.Duration))
	switch e.Kind {
	case KindQuery, KindCopy:
		attrs = append(attrs, slog.Int64("rows", e.Rows))
	case KindBatch:
		attrs = append(attrs, slog.Int64("rows", e.Rows), slog.Int("queries", e.Queries))
	}
	for _, kv := range [...][2]string{{"endpoint", e.Endpoint}, {"table", e.Table}, {"name", e.Name}} {
		if kv[1] != "" {
			attrs = append(attrs, slog.String(kv[0], kv[1]))
		}
	}
	if e.Kind == KindConnect {
		attrs = append(attrs,
			slog.String("database", e.Database),
			slog.String("host", e.Host),
			slog.Int("port", int(e.Port)))
	}
	if len(e.Args) > 0 {
		attrs = append(attrs, slog.Any("args", l.cfg.Mask.Args(e.Args)))
	}
	if v.slow {
		attrs = append(attrs, slog.Bool("slow", true))
	}
	if e.Err != nil {
		for _, f := range errorFields(e.Err, l.cfg.ErrorDetail) {
			attrs = append(attrs, slog.Any(f.Key, f.Value))
		}
	}
	walkFields(ctx, func(f Field) { attrs = append(attrs, slog.Any(f.Key, f.Value)) })
	return attrs
}
