package repo

import (
	"context"
	"fmt"
	"reflect"
	"time"
)

// AuditRecord is one change, as handed to an Auditor.
//
// Changed lists, in model order, the columns whose values differ between
// Before and After, compared by value (time.Time by Equal, []byte by
// content, pointers followed, sql.Null* and other driver.Valuers by the
// value they send). The version and on_update columns (updated_at), which
// every update moves, are listed only beside a change to another column:
// an update that changed no data has an empty, non-nil Changed, though
// Before and After show the bump. Changed is nil when the row before is
// not known: create, upsert (insert or update, one statement) and delete.
//
// Before is the stored row as it was: for Update and UpdateFields the
// statement returns it (it locks the row first, so it is the committed
// row the update changed); for soft delete and restore it is the entity
// passed in, whose version the write has just matched. After is the row
// as stored afterwards.
type AuditRecord = struct {
	At        time.Time
	Actor     string
	Operation string // "create", "update", "delete", "soft_delete", "restore", "upsert"
	Table     string
	Key       map[string]any
	Changed   []string       // columns that changed; nil when unknown (see above)
	Before    map[string]any // nil for create and upsert
	After     map[string]any // nil for delete
}

// Auditor receives a record of every write made through a repository,
// after the write succeeded: after the outermost commit when the Querier
// has the AfterCommit ability and ctx carries a transaction, right after
// the statement (or the repository's own transaction) otherwise.
type Auditor interface {
	Audit(ctx context.Context, r AuditRecord) error
}

// WithAuditor sends a record of every write to a. Errors from a are
// passed to onError (nil: dropped), since the write has already happened.
// With an auditor, Update and UpdateFields read the row as it was in the
// same statement (UPDATE … FROM (SELECT … FOR UPDATE) … RETURNING), one
// round trip as without, so that the record can say what changed.
// Bulk operations (CreateBatch, UpsertBatch, CopyFrom, UpdateWhere,
// DeleteWhere, PurgeTrashed) are not audited per row. A nil a makes New
// fail.
func WithAuditor(a Auditor, onError func(error)) Option {
	return func(cfg *config) {
		if a == nil {
			cfg.refuse("WithAuditor(nil)", "no auditor: omit the option to audit nothing")
			return
		}
		cfg.auditor, cfg.auditErr = a, onError
	}
}

type actorKey struct{}

// WithActor returns ctx carrying the actor (a user or service name) that
// audit records name.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor ctx carries, or "".
func ActorFrom(ctx context.Context) string {
	s, _ := ctx.Value(actorKey{}).(string)
	return s
}

// audit sends a record for a write on entity key; before/after are the
// entity before and after (nil when unknown). With diff, Changed lists
// the columns that differ between them; without, it is nil (unknown:
// create, upsert, delete).
func (r *Repository[T]) audit(ctx context.Context, op string, key []any, diff bool, before, after *T) {
	if r.cfg.auditor == nil {
		return
	}
	rec := AuditRecord{
		At: r.cfg.now(), Actor: ActorFrom(ctx), Operation: op, Table: r.table(),
		Key: map[string]any{}, Before: r.asMap(before), After: r.asMap(after),
	}
	if diff {
		rec.Changed = r.changedColumns(rec.Before, rec.After)
	}
	for i, f := range r.mt.m.PK {
		rec.Key[f.Column] = key[i]
	}
	send := func() {
		if err := r.cfg.auditor.Audit(context.WithoutCancel(ctx), rec); err != nil && r.cfg.auditErr != nil {
			r.cfg.auditErr(fmt.Errorf("repo: audit %s %s: %w", op, r.table(), err))
		}
	}
	r.afterCommit(ctx, send)
}

func (r *Repository[T]) asMap(v *T) map[string]any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v).Elem()
	out := make(map[string]any, len(r.mt.m.Fields))
	for _, f := range r.mt.m.Fields {
		out[f.Column] = f.Value(rv)
	}
	return out
}

// observe invalidates the cache key of v and sends its audit record after
// a create or upsert; it reads nothing when neither a cache nor an auditor
// is configured.
func (r *Repository[T]) observe(ctx context.Context, op string, v *T) {
	if !r.cfg.invalidates() && r.cfg.auditor == nil {
		return
	}
	key := r.mt.keyOf(reflect.ValueOf(v).Elem())
	r.invalidate(ctx, key)
	r.audit(ctx, op, key, false, nil, v)
}

// observeUpdate is observe for Update: with an auditor, before holds the
// row as it was and the record lists the columns that changed.
func (r *Repository[T]) observeUpdate(ctx context.Context, rv reflect.Value, before, v *T) {
	if !r.cfg.invalidates() && r.cfg.auditor == nil {
		return
	}
	key := r.mt.keyOf(rv)
	r.invalidate(ctx, key)
	if before != nil {
		r.audit(ctx, "update", key, true, before, v)
	}
}
