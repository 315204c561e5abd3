package otel_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// One client span per database call, with the static attributes taken
// from the connection config.
func ExampleNew() {
	cfg, err := pgx.ParseConfig("postgres://app@db.internal:5432/orders")
	if err != nil {
		fmt.Println(err)
		return
	}
	tp := sdktrace.NewTracerProvider() // your configured provider
	cfg.Tracer = observe.New(observe.Config{
		Observers: []observe.Observer{otel.New(otel.Config{
			TracerProvider: tp,
			Database:       cfg.Database,
			ServerAddress:  cfg.Host,
			ServerPort:     int(cfg.Port),
		})},
	})
	fmt.Println(cfg.Database, cfg.Host, cfg.Port)
	// Output: orders db.internal 5432
}

// Deferred spans: behind observe.Deferred, calls only buffer their events
// and a goroutine records the spans (failed calls' spans at once). Close it
// before the provider shuts down, so the last spans are recorded.
func ExampleNew_deferred() {
	ctx := context.Background()
	tp := sdktrace.NewTracerProvider() // your configured provider
	spans := observe.NewDeferred(observe.DeferredConfig{
		Observers: []observe.Observer{otel.New(otel.Config{TracerProvider: tp, Database: "orders"})},
	})
	tracer := observe.New(observe.Config{Observers: []observe.Observer{spans}})
	_ = tracer // set it as pgx.ConnConfig.Tracer or pool.Config.Tracer

	// At shutdown, in this order:
	if err := spans.Close(ctx); err != nil {
		fmt.Println(err)
	}
	if err := tp.Shutdown(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println("dropped:", spans.Dropped())
	// Output: dropped: 0
}
