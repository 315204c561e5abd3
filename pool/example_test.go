package pool_test

import (
	"context"
	"errors"
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

func ExampleReadOnly() {
	ctx := context.Background()
	db, err := pool.Open(ctx, pool.Config{
		ConnString:         "postgres://app@db-primary/app",
		ReplicaConnStrings: []string{"postgres://app@db-replica/app"},
		ReplicaWait:        250 * time.Millisecond, // let a read wait that long for the replica to catch up
	})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	handler := func(w http.ResponseWriter, r *http.Request) {
		// The client sends back the position its last write answered with.
		s := new(pool.Session)
		if v := r.Header.Get("X-LSN"); v != "" {
			lsn, err := pool.ParseLSN(v)
			if err != nil {
				http.Error(w, "malformed X-LSN", http.StatusBadRequest)
				return
			}
			s.SetLSN(lsn)
		}
		var orders, standby int64
		// One READ ONLY transaction, on the replica once it has replayed
		// the client's write (Config.OnBegin runs there too), else on the
		// primary.
		err := db.InTx(pool.WithSession(r.Context(), s), func(ctx context.Context) error {
			return db.QueryRow(ctx, "SELECT count(*), pg_is_in_recovery()::int FROM orders").Scan(&orders, &standby)
		}, pool.ReadOnly())
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d orders (served by a replica: %v)\n", orders, standby == 1)
	}
	http.HandleFunc("/orders", handler)
}

func ExampleParseLSN() {
	lsn, err := pool.ParseLSN("16/b374d848") // as pg_current_wal_lsn() prints it, in either case
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lsn, pool.FormatLSN(lsn))

	_, err = pool.ParseLSN("16/b374d848'; DROP TABLE x; --")
	fmt.Println(errors.Is(err, pool.ErrLSNSyntax))
	// Output:
	// 97500059720 16/B374D848
	// true
}
