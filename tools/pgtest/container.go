package pgtest

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
)

// defaultImage is the server image used when no local binaries exist;
// NORM_TEST_PG_IMAGE overrides it.
const defaultImage = "postgres:15-alpine"

// startContainer starts a primary in Docker through testcontainers-go.
// Replicas and PgBouncer are local-only; tests that need them are skipped
// with a message.
func startContainer(ctx context.Context) (*Cluster, error) {
	image := os.Getenv("NORM_TEST_PG_IMAGE")
	if image == "" {
		image = defaultImage
	}
	pw := hex.EncodeToString(randomBytes(12))
	ctr, err := tcpostgres.Run(ctx, image,
		tcpostgres.WithDatabase("postgres"),
		tcpostgres.WithUsername(superuser),
		tcpostgres.WithPassword(pw),
		tcpostgres.BasicWaitStrategies(),
		testcontainers.WithCmdArgs("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
	)
	if err != nil {
		if ctr != nil {
			_ = testcontainers.TerminateContainer(ctr)
		}
		return nil, fmt.Errorf("pgtest: start PostgreSQL container %s: %w", image, err)
	}
	dsn, err := ctr.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		_ = testcontainers.TerminateContainer(ctr)
		return nil, fmt.Errorf("pgtest: container connection string: %w", err)
	}
	return &Cluster{
		mode:    ModeContainer,
		baseURL: dsn,
		cleanup: func(context.Context) error { return testcontainers.TerminateContainer(ctr) },
	}, nil
}

func dockerAnswers(ctx context.Context) bool {
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return p.Health(ctx) == nil
}
