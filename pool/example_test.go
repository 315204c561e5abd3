package pool_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/pool"
)

func ExampleOpen() {
	ctx := context.Background()
	db, err := pool.Open(ctx, pool.Config{
		ConnString:         "postgres://app@db-primary/app",
		ReplicaConnStrings: []string{"postgres://app@db-replica/app"},
		Password:           `s3cret with spaces, 'quotes' and =`, // no quoting needed here
		MaxConns:           20,
		StatementTimeout:   5 * time.Second,
		MaxReplicaLag:      2 * time.Second,
	})
	if err != nil {
		log.Fatal(err) // names the field or the unreachable primary; never the password
	}
	defer db.Close()

	var email string
	// A plain SELECT outside a transaction goes to a healthy replica.
	if err := db.QueryRow(ctx, "SELECT email FROM users WHERE id = $1", 42).Scan(&email); err != nil {
		log.Print(err)
		return
	}
	// A write goes to the primary.
	if _, err := db.Exec(ctx, "UPDATE users SET last_seen = now() WHERE id = $1", 42); err != nil {
		log.Print(err)
		return
	}
	http.Handle("/readyz", db.HealthHandler())
}

func ExampleDB_InTx() {
	ctx := context.Background()
	db, err := pool.Open(ctx, pool.ConfigFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	err = db.InTx(ctx, func(ctx context.Context) error {
		// Every call made with this ctx joins the transaction.
		if _, err := db.Exec(ctx, "UPDATE accounts SET balance = balance - $1 WHERE id = $2", 10, 1); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, "UPDATE accounts SET balance = balance + $1 WHERE id = $2", 10, 2); err != nil {
			return err
		}
		pool.AfterCommit(ctx, func() { fmt.Println("transfer committed") })
		return nil
	}, pool.WithIsolation(pgx.Serializable), pool.RetryConflicts(5))
	if err != nil {
		log.Print(err)
		return
	}
}

func ExampleReadYourWrites() {
	ctx := context.Background()
	db, err := pool.Open(ctx, pool.ConfigFromEnv())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	ctx = pool.ReadYourWrites(ctx)
	if _, err := db.Exec(ctx, "UPDATE profiles SET name = $1 WHERE id = $2", "Ada", 7); err != nil {
		log.Print(err)
		return
	}
	var name string
	// Served by a replica only if it has replayed the update; otherwise by the primary.
	if err := db.QueryRow(ctx, "SELECT name FROM profiles WHERE id = $1", 7).Scan(&name); err != nil {
		log.Print(err)
		return
	}
	fmt.Println(name)
}

func ExampleConfig_pgBouncer() {
	cfg := pool.Config{
		ConnString: "postgres://app@pgbouncer:6432/app",
		// PgBouncer in transaction pooling mode has no protocol-level
		// prepared statements: pgx's default mode fails with 42P05.
		QueryExecMode: pgx.QueryExecModeCacheDescribe,
	}
	if err := cfg.Validate(); err != nil {
		log.Fatal(err)
	}
}
