package notes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ErrStepFailed is returned by Run when a scripted step did not get the
// status it expected.
var ErrStepFailed = errors.New("notes: a scripted step failed")

// shutdownGrace bounds the graceful shutdown of the HTTP server and pool.
const shutdownGrace = 5 * time.Second

// Report is everything the demo shows.
type Report struct {
	// Migration is what Migrate applied.
	Migration MigrationReport
	// ChangePlan and OnlinePlan are NoteNext's plan, default and online.
	ChangePlan, OnlinePlan string
	// ChangeSeverity is the worst hazard of ChangePlan.
	ChangeSeverity string
	// Addr is the loopback address the service listened on.
	Addr string
	// Steps are the scripted requests with their outcomes.
	Steps []Step
	// Transcript is what the script learned (ids, pages, metrics, health).
	Transcript *Transcript
	// SlowLog are the slow-query log lines.
	SlowLog []string
	// AuditLog are the audit records of note changes.
	AuditLog []string
	// Errors are internal errors the service answered with 500.
	Errors []string
	// Shutdown is how long the graceful shutdown of server and pool took.
	Shutdown time.Duration
}

// Run opens the service on cfg's cluster, migrates it, serves it on a
// free loopback port, plays Script against it, plans the model change,
// and shuts the server and the pool down gracefully. The report is
// returned with whatever was done even when err is not nil.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	rep = &Report{}
	svc, err := Open(ctx, cfg)
	if err != nil {
		return rep, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		_ = svc.Shutdown(context.WithoutCancel(ctx))
		return rep, fmt.Errorf("notes: listen: %w", err)
	}
	srv := &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	rep.Addr = ln.Addr().String()
	defer func() {
		if serr := stop(context.WithoutCancel(ctx), srv, served, svc, rep); err == nil {
			err = serr
		}
	}()
	if rep.Migration, err = Migrate(ctx, svc.DB()); err != nil {
		return rep, err
	}
	return rep, play(ctx, svc, rep)
}

// play runs the script and the model-change plans and fills rep.
func play(ctx context.Context, svc *Service, rep *Report) error {
	client := NewClient("http://"+rep.Addr, &http.Client{Timeout: 10 * time.Second})
	t, err := Script(ctx, client)
	rep.Steps, rep.Transcript = client.Steps, t
	rep.SlowLog, rep.AuditLog, rep.Errors = svc.SlowLog(), svc.AuditLog(), svc.Errors()
	if err != nil {
		return fmt.Errorf("notes: script: %w", err)
	}
	plain, online, err := ChangePlans(ctx, svc.DB())
	if err != nil {
		return err
	}
	rep.ChangePlan, rep.OnlinePlan, rep.ChangeSeverity = plain.Text(), online.Text(), plain.MaxSeverity().String()
	if bad := client.Failed(); len(bad) > 0 {
		return fmt.Errorf("%w: %d step(s), first %q: got %d, want %d", ErrStepFailed, len(bad), bad[0].Name, bad[0].Status, bad[0].Want)
	}
	return nil
}

// stop shuts the HTTP server down (in-flight requests finish), then the
// pool, and records how long it took.
func stop(ctx context.Context, srv *http.Server, served <-chan error, svc *Service, rep *Report) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, shutdownGrace)
	defer cancel()
	herr := srv.Shutdown(ctx)
	if err := <-served; !errors.Is(err, http.ErrServerClosed) && herr == nil {
		herr = err
	}
	perr := svc.Shutdown(ctx)
	rep.Shutdown = time.Since(start)
	if herr != nil {
		return fmt.Errorf("notes: shutdown http: %w", herr)
	}
	return perr
}
