package migrate_test

import (
	"context"
	"log"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate"
)

// Migrate over one *pgx.Conn: it carries the plan, the lock and every
// step. (With a pool — *pgxpool.Pool or norm's *pool.DB — use NewAuto.)
func ExampleNewAutoConn() {
	if err := exampleAutoConn(context.Background(), os.Getenv("DATABASE_URL")); err != nil {
		log.Fatal(err)
	}
}

func exampleAutoConn(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	type Account struct {
		ID    int64  `db:"id" norm:"pk,identity"`
		Email string `db:"email" norm:"unique"`
	}
	a, err := migrate.NewAutoConn(conn, []any{Account{}}, migrate.AutoOptions{})
	if err != nil {
		return err
	}
	_, err = a.Apply(ctx)
	return err
}
