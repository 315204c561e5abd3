package observe

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func auditEvent() AuditEvent {
	return AuditEvent{
		Actor:     "user-42",
		Operation: "update",
		Table:     "users",
		Key:       map[string]any{"id": 7},
		Changed:   []string{"password_hash", "email"},
		Before:    map[string]any{"email": "old@example.com", "password_hash": "secret-old-hash"},
		After:     map[string]any{"email": "new@example.com", "password_hash": "secret-new-hash"},
		At:        time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC),
	}
}

func TestAuditLog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	a := NewAuditLog(zerolog.New(&buf), AuditConfig{
		Sensitive: SensitiveColumns("password_hash", "users.email", "orders.id"),
	})
	ctx := WithCorrelationID(context.Background(), "corr-a")
	if err := a.Audit(ctx, auditEvent()); err != nil {
		t.Fatal(err)
	}
	lines := decodeLines(t, &buf)
	if len(lines) != 1 {
		t.Fatalf("got %d records, want 1", len(lines))
	}
	l := lines[0]
	after, _ := l["after"].(map[string]any)
	before, _ := l["before"].(map[string]any)
	key, _ := l["key"].(map[string]any)
	if l["message"] != "audit" || l["actor"] != "user-42" || l["operation"] != "update" || l["table"] != "users" ||
		l["correlation_id"] != "corr-a" || l["at"] != "2026-02-03T04:05:06Z" || key["id"] != 7.0 {
		t.Errorf("record = %v", l)
	}
	if after["password_hash"] != "text(15)" || before["password_hash"] != "text(15)" || after["email"] != "text(15)" {
		t.Errorf("sensitive columns not masked: before %v after %v", before, after)
	}
	if changed, _ := l["changed"].([]any); len(changed) != 2 || changed[0] != "email" {
		t.Errorf("changed = %v, want sorted [email password_hash]", l["changed"])
	}
	for _, s := range []string{"secret-", "old@", "new@"} {
		if bytes.Contains(buf.Bytes(), []byte(s)) {
			t.Errorf("audit record leaks %q: %s", s, buf.String())
		}
	}
}

func TestAuditDoesNotMutateOrAlias(t *testing.T) {
	t.Parallel()
	e := auditEvent()
	r, err := newAuditRecord(e, &AuditConfig{Sensitive: SensitiveColumns("password_hash")})
	if err != nil {
		t.Fatal(err)
	}
	e.After["email"] = "changed@example.com"
	e.Changed[0] = "zzz"
	if r.After["email"] != "new@example.com" || r.Changed[1] != "password_hash" {
		t.Errorf("record shares state with the event: %+v", r)
	}
	if e.After["password_hash"] != "secret-new-hash" {
		t.Error("masking mutated the caller's map")
	}
}

func TestAuditInvalidEvent(t *testing.T) {
	t.Parallel()
	a := NewAuditLog(zerolog.Nop(), AuditConfig{})
	for _, e := range []AuditEvent{{Operation: "insert"}, {Table: "users"}} {
		if err := a.Audit(context.Background(), e); !errors.Is(err, ErrInvalidAuditEvent) {
			t.Errorf("Audit(%+v) = %v, want ErrInvalidAuditEvent", e, err)
		}
	}
}

func TestAuditDefaultTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	r, err := newAuditRecord(AuditEvent{Table: "t", Operation: "delete"}, &AuditConfig{Now: func() time.Time { return now }})
	if err != nil || !r.At.Equal(now) {
		t.Errorf("At = %v, %v; want %v", r.At, err, now)
	}
}

func TestSlogAudit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	a := NewSlogAudit(slog.New(slog.NewJSONHandler(&buf, nil)), AuditConfig{Sensitive: SensitiveColumns("password_hash")})
	if err := a.Audit(context.Background(), auditEvent()); err != nil {
		t.Fatal(err)
	}
	lines := decodeLines(t, &buf)
	after, _ := lines[0]["after"].(map[string]any)
	if len(lines) != 1 || lines[0]["msg"] != "audit" || after["password_hash"] != "text(15)" || after["email"] != "new@example.com" {
		t.Errorf("slog audit record = %v", lines)
	}
}

// The contract as repo declares it (repo/audit.go), without importing
// observe: an alias of the same unnamed struct type. The assignments below
// only compile while both declarations match field for field.
type repoAuditRecord = struct {
	At        time.Time
	Actor     string
	Operation string
	Table     string
	Key       map[string]any
	Changed   []string
	Before    map[string]any
	After     map[string]any
}

type repoAuditor interface {
	Audit(ctx context.Context, r repoAuditRecord) error
}

var (
	_ repoAuditor = (*AuditLog)(nil)
	_ repoAuditor = (*SlogAudit)(nil)
)
