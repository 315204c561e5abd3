package pool

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
)

// TestErrorsCarryNoValues checks that no value the server quotes in its
// message reaches the text of an error *pool.DB returns, on every path,
// while errors.As still finds the server's *pgconn.PgError as sent.
func TestErrorsCarryNoValues(t *testing.T) {
	t.Parallel()
	direct, d := openReplicated(t, cluster, "CREATE TABLE secrets (id bigint PRIMARY KEY)", normpool.Config{})
	bouncer := open(t, normpool.Config{ConnString: d.BouncerDSN(t), QueryExecMode: pgx.QueryExecModeCacheDescribe})
	for _, via := range []struct {
		name string
		db   *normpool.DB
	}{{"direct", direct}, {"pgbouncer", bouncer}} {
		t.Run(via.name, func(t *testing.T) { errorsCarryNoValues(t, via.db) })
	}
}

func errorsCarryNoValues(t *testing.T, db *normpool.DB) {
	ctx := testCtx(t)
	const secret = "SecretValue98"
	paths := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Exec", func(ctx context.Context) error {
			_, err := db.Exec(ctx, "INSERT INTO secrets VALUES ($1::text::bigint)", secret)
			return err
		}},
		{"QueryRow", func(ctx context.Context) error {
			var n int64
			return db.QueryRow(ctx, "SELECT $1::text::bigint", secret).Scan(&n)
		}},
		{"Query", func(ctx context.Context) error { return readAll(db.Query(ctx, "SELECT $1::text::bigint", secret)) }},
		{"SendBatch", func(ctx context.Context) error {
			b := &pgx.Batch{}
			b.Queue("SELECT $1::text::bigint", secret)
			return db.SendBatch(ctx, b).Close()
		}},
		{"Exec in InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(ctx context.Context) error {
				_, err := db.Exec(ctx, "SELECT $1::text::bigint", secret)
				return err
			})
		}},
		{"QueryRow in InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(ctx context.Context) error {
				var n int64
				return db.QueryRow(ctx, "SELECT $1::text::bigint", secret).Scan(&n)
			})
		}},
		{"Query in InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(ctx context.Context) error {
				return readAll(db.Query(ctx, "SELECT $1::text::bigint", secret))
			})
		}},
	}
	for _, p := range paths {
		err := p.call(ctx)
		if err == nil {
			t.Errorf("%s: no error", p.name)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error text carries the value: %v", p.name, err)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || !strings.Contains(pgErr.Message, secret) || pgErr.Code != "22P02" {
			t.Errorf("%s: errors.As does not find the server's error as sent: %v", p.name, err)
		}
	}
}
