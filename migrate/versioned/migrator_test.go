package versioned_test

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/migrate/versioned"
)

//go:embed testdata/files/*.sql
var exampleFiles embed.FS

// Apply the SQL files embedded in the binary, plus one Go migration, to
// the database in DATABASE_URL.
func ExampleNewMigrator() {
	if err := exampleMigrateUp(context.Background(), os.Getenv("DATABASE_URL")); err != nil {
		log.Fatal(err)
	}
}

func exampleMigrateUp(ctx context.Context, dsn string) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	files, err := fs.Sub(exampleFiles, "testdata/files")
	if err != nil {
		return err
	}
	mg, err := versioned.NewMigrator(pool, files, versioned.MigratorOptions{})
	if err != nil {
		return err
	}
	backfill := func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET email = lower(email)")
		return err
	}
	if err := mg.AddGo(3, "lowercase_emails", backfill, nil); err != nil {
		return err
	}
	results, err := mg.Up(ctx)
	for _, r := range results {
		fmt.Println(r.Direction, r.Version, r.Name, r.Duration)
	}
	return err
}

// List what Up would do without touching the database's schema.
func ExampleMigrator_Up() {
	if err := exampleDryRun(context.Background(), os.Getenv("DATABASE_URL")); err != nil {
		log.Fatal(err)
	}
}

func exampleDryRun(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	files, err := fs.Sub(exampleFiles, "testdata/files")
	if err != nil {
		return err
	}
	mg, err := versioned.NewMigratorConn(conn, files, versioned.MigratorOptions{DryRun: true})
	if err != nil {
		return err
	}
	planned, err := mg.Up(ctx)
	for _, r := range planned {
		fmt.Println("would apply", r.Version, r.Source, r.Warnings)
	}
	return err
}

// Load the example files (no database needed).
func ExampleMigrator_Migrations() {
	files, err := fs.Sub(exampleFiles, "testdata/files")
	if err != nil {
		log.Fatal(err)
	}
	var pool *pgxpool.Pool // NewMigrator does not connect; commands do
	mg, err := versioned.NewMigrator(pool, files, versioned.MigratorOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range mg.Migrations() {
		fmt.Println(m.Version, m.Name, m.UpFile, m.HasDown(), m.NoTransaction())
	}
	// Output:
	// 1 users 0001_users.up.sql true false
	// 2 users_email_idx 0002_users_email_idx.up.sql true true
}
