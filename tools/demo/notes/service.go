package notes

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/rlsutil"
	"github.com/normkit/norm/sqlb"
)

// Config configures the service.
type Config struct {
	// PrimaryDSN and ReplicaDSN are the primary and its streaming replica.
	PrimaryDSN, ReplicaDSN string
	// SlowThreshold is the slow-query log threshold. Default 100ms.
	SlowThreshold time.Duration
}

// Service is the notes API: a pool, one repository per model and the
// observability sinks.
type Service struct {
	db       *pool.DB
	tenants  *repo.Repository[Tenant]
	users    *repo.Repository[User]
	notes    *repo.Repository[Note]
	comments *repo.Repository[Comment]
	codec    *sqlb.CursorCodec
	slow     *LogBuffer
	audit    *LogBuffer
	errs     *LogBuffer
}

// Open connects to the primary and the replica with every transaction
// running under the caller's tenant (pool.Config.OnBegin =
// rlsutil.ApplyContext). It does not migrate; call Migrate on DB().
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.PrimaryDSN == "" {
		return nil, fmt.Errorf("notes: Config.PrimaryDSN is empty")
	}
	if cfg.SlowThreshold == 0 {
		cfg.SlowThreshold = 100 * time.Millisecond
	}
	s := &Service{slow: &LogBuffer{}, audit: &LogBuffer{}, errs: &LogBuffer{}}
	tracer, err := newTracer(s.slow, cfg.SlowThreshold)
	if err != nil {
		return nil, fmt.Errorf("notes: observe: %w", err)
	}
	pc := pool.Config{
		ConnString:        cfg.PrimaryDSN,
		MaxReplicaLag:     time.Second,
		ReplicaWait:       replicaWait, // reads wait this long for the replica to replay the client's write
		HealthCheckPeriod: time.Second,
		Tracer:            tracer,
		OnBegin:           rlsutil.ApplyContext,
		ShutdownTimeout:   5 * time.Second,
		// Commits flush their WAL at once (the PostgreSQL default, which
		// throwaway test clusters turn off), so the replica can replay a
		// client's write within milliseconds.
		RuntimeParams: map[string]string{"synchronous_commit": "on"},
	}
	if cfg.ReplicaDSN != "" {
		pc.ReplicaConnStrings = []string{cfg.ReplicaDSN}
	}
	if s.db, err = pool.Open(ctx, pc); err != nil {
		return nil, fmt.Errorf("notes: open pool: %w", err)
	}
	if err := s.initRepos(); err != nil {
		_ = s.db.Shutdown(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

func (s *Service) initRepos() (err error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("notes: cursor key: %w", err)
	}
	if s.codec, err = sqlb.NewCursorCodec(key); err != nil {
		return fmt.Errorf("notes: cursor codec: %w", err)
	}
	if s.tenants, err = repo.New[Tenant](s.db); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	if s.users, err = repo.New[User](s.db); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	if s.notes, err = repo.New[Note](s.db, repo.WithAuditor(newAuditLog(s.audit), s.auditFailed)); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	if s.comments, err = repo.New[Comment](s.db); err != nil {
		return fmt.Errorf("notes: %w", err)
	}
	return nil
}

// DB returns the service's pool.
func (s *Service) DB() *pool.DB { return s.db }

// SlowLog returns the slow-query log lines written so far.
func (s *Service) SlowLog() []string { return s.slow.Lines() }

// AuditLog returns the audit records of note changes written so far.
func (s *Service) AuditLog() []string { return s.audit.Lines() }

// auditFailed records an audit write that failed (the change stands).
func (s *Service) auditFailed(err error) { _, _ = fmt.Fprintln(s.errs, err.Error()) }

// Errors returns the internal errors answered with 500 so far.
func (s *Service) Errors() []string { return s.errs.Lines() }

// Shutdown lets running statements finish and closes the pool.
func (s *Service) Shutdown(ctx context.Context) error {
	if err := s.db.Shutdown(ctx); err != nil {
		return fmt.Errorf("notes: shutdown pool: %w", err)
	}
	return nil
}
