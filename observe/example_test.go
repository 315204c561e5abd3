package observe_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/observe"
	"github.com/rs/zerolog"
)

func ExampleNormalize() {
	fmt.Println(observe.Normalize(`SELECT * FROM users WHERE email = 'a@b.c' AND age > 30 AND id = $1 -- admin`))
	// Output: SELECT * FROM users WHERE email = ? AND age > ? AND id = $1
}

func ExampleDescribe() {
	for _, v := range []any{"hunter2", []byte{1, 2, 3}, int64(42), []string{"a", "b"}, nil} {
		fmt.Println(observe.Describe(v))
	}
	// Output:
	// text(7)
	// bytea(3)
	// int8
	// []text(2)
	// NULL
}

func ExampleMask() {
	m := observe.Mask{Reveal: []int{2}} // $2 is a harmless limit
	fmt.Println(m.Args([]any{"alice@example.com", 50}))
	// Output: [text(17) 50]
}

// A tracer with a zerolog logger, attached to a pgxpool config. Every
// query, batch, COPY, prepare, connect, acquire and release on the pool
// produces one event.
func ExampleNew() {
	logger := zerolog.New(os.Stderr).Level(zerolog.InfoLevel)
	tracer := observe.New(observe.Config{
		Endpoint: "primary",
		Observers: []observe.Observer{
			observe.NewLogger(logger, observe.LogConfig{SlowThreshold: 200 * time.Millisecond}),
		},
	})
	cfg, err := pgxpool.ParseConfig("postgres://app@localhost:5432/app")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg.ConnConfig.Tracer = tracer // pgxpool also uses it for Acquire and Release
	fmt.Println(cfg.ConnConfig.Tracer == tracer)
	// Output: true
}

// The line written for a failed query: the statement is normalised, the
// parameters are masked and the server's Detail (which quotes the value)
// is left out. The tracer hooks are called by hand here; pgx calls them.
func ExampleLogger() {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tracer := observe.New(observe.Config{
		Observers: []observe.Observer{observe.NewLogger(zerolog.New(os.Stdout), observe.LogConfig{})},
		Now:       func() time.Time { clock = clock.Add(2 * time.Millisecond); return clock },
	})
	ctx := observe.WithCorrelationID(context.Background(), "req-1")
	ctx = tracer.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{
		SQL:  "INSERT INTO users (email) VALUES ($1)",
		Args: []any{"alice@example.com"},
	})
	tracer.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{Err: &pgconn.PgError{
		Severity: "ERROR", Code: "23505", ConstraintName: "users_email_key",
		Message: `duplicate key value violates unique constraint "users_email_key"`,
		Detail:  "Key (email)=(alice@example.com) already exists.",
	}})
	// Output: {"level":"error","op":"insert","sql":"INSERT INTO users (email) VALUES ($1)","fingerprint":"9251bb522eb1dc91","duration":2,"rows":0,"args":["text(17)"],"error":"ERROR: unique_violation (SQLSTATE 23505, constraint users_email_key; message redacted)","sqlstate":"23505","constraint":"users_email_key","correlation_id":"req-1","message":"query failed"}
}

// Observers behind Deferred run on a goroutine of their own: the call
// buffers its event, and the line is written at the flush (here, Close).
// A failed call would be written at once.
func ExampleNewDeferred() {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	deferred := observe.NewDeferred(observe.DeferredConfig{
		Observers: []observe.Observer{observe.NewLogger(zerolog.New(os.Stdout), observe.LogConfig{})},
	})
	tracer := observe.New(observe.Config{
		Observers: []observe.Observer{deferred},
		Now:       func() time.Time { clock = clock.Add(2 * time.Millisecond); return clock },
	})
	ctx := tracer.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{
		SQL:  "SELECT email FROM users WHERE id = $1",
		Args: []any{int64(7)},
	})
	tracer.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1")})
	fmt.Println("before the flush")

	// At shutdown: hand on what is buffered.
	if err := deferred.Close(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// before the flush
	// {"level":"debug","op":"select","sql":"SELECT email FROM users WHERE id = $1","fingerprint":"58c08c3e86e303c1","duration":2,"rows":1,"message":"query"}
}

func ExampleAuditLog() {
	audit := observe.NewAuditLog(zerolog.New(os.Stdout), observe.AuditConfig{
		Sensitive: observe.SensitiveColumns("users.password_hash"),
	})
	err := audit.Audit(context.Background(), observe.AuditEvent{
		Actor:     "user-7",
		Operation: "update",
		Table:     "users",
		Key:       map[string]any{"id": 42},
		Changed:   []string{"password_hash"},
		After:     map[string]any{"password_hash": "$2a$10$secret"},
		At:        time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	fmt.Println(err)
	// Output:
	// {"level":"info","actor":"user-7","operation":"update","table":"users","at":"2026-01-02T03:04:05Z","key":{"id":42},"changed":["password_hash"],"after":{"password_hash":"text(13)"},"message":"audit"}
	// <nil>
}

// Metrics and health on an internal listener.
func ExampleHandler() {
	metrics, err := observe.NewExpvar("") // shown on /debug/vars
	if err != nil {
		fmt.Println(err)
		return
	}
	tracer := observe.New(observe.Config{Observers: []observe.Observer{observe.MetricsObserver(metrics)}})
	_ = tracer // set as ConnConfig.Tracer
	mux := http.NewServeMux()
	mux.Handle("/internal/", http.StripPrefix("/internal", observe.Handler(observe.HandlerConfig{
		Health: func(ctx context.Context) error { return nil }, // e.g. pool.Ping(ctx)
	})))
	_ = mux // http.ListenAndServe("127.0.0.1:9090", mux)
}
