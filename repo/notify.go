package repo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// DefaultChannel is the PostgreSQL notification channel on which
// repositories publish cache invalidations and a Listener listens, unless
// configured otherwise.
const DefaultChannel = "norm_cache"

// maxPayload is the largest pg_notify payload PostgreSQL accepts: it must
// be shorter than 8000 bytes.
const maxPayload = 7999

// flushPayload asks every listener to drop everything its caches hold. It
// is sent for a key too long for a payload of its own, and a payload a
// listener cannot read is treated the same way.
const flushPayload = "*"

// notifySQL sends one notification per payload in one statement, so a
// write that invalidates many keys costs one round trip.
const notifySQL = "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p"

// WithNotify makes every write through the repository publish the cache
// keys it invalidates on the PostgreSQL notification channel, in the same
// transaction as the write: listeners (see Listen) evict the keys when,
// and only if, the write commits, in commit order; a rolled-back write
// publishes nothing. A write inside a transaction (a ctx-carried pool.DB
// transaction, a repository bound to a pgx.Tx) adds one statement to it;
// a write outside one is wrapped in a transaction of its own (BEGIN, the
// write, the notification, COMMIT: three round trips more), so a crash
// between the write and the notification cannot lose it.
//
// A repository publishes whether or not it has a cache of its own, so
// processes that only write keep the others' caches correct. A repository
// whose cache comes from Listener.Guard publishes on the listener's
// channel without this option. channel "" means DefaultChannel; it must
// be a valid PostgreSQL identifier of at most 63 bytes, or New fails.
func WithNotify(channel string) Option {
	return func(cfg *config) {
		if channel == "" {
			channel = DefaultChannel
		}
		cfg.notify = channel
	}
}

// checkChannel validates a notification channel name.
func checkChannel(ch string) error {
	if ch == "" || len(ch) > 63 || strings.ContainsRune(ch, 0) || !utf8.ValidString(ch) {
		return fmt.Errorf("notification channel %q: want 1 to 63 bytes of UTF-8 without NUL", ch)
	}
	return nil
}

// encodePayloads packs keys into pg_notify payloads: JSON arrays of
// strings, each under the 8000-byte limit, behind "@<from>:" when from
// (the guarded cache of the writing repository, which its own commit
// callback keeps correct) is set. A key that cannot travel (too long for
// a payload of its own, or not valid UTF-8, which the server would
// reject) turns the whole set into one flush request: correct, though
// every listener then empties its caches.
func encodePayloads(keys []string, from string) []string {
	var out []string
	var b strings.Builder
	head := ""
	if from != "" {
		head = "@" + from + ":"
	}
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return []string{flushPayload}
		}
		q, _ := json.Marshal(k) // a string always marshals
		if len(head)+len(q)+2 > maxPayload {
			return []string{flushPayload}
		}
		if b.Len() > 0 && b.Len()+1+len(q)+1 > maxPayload {
			b.WriteByte(']')
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() == 0 {
			b.WriteString(head)
			b.WriteByte('[')
		} else {
			b.WriteByte(',')
		}
		b.Write(q)
	}
	if b.Len() > 0 {
		b.WriteByte(']')
		out = append(out, b.String())
	}
	return out
}

// decodePayload reads a payload: the keys to evict and the guarded cache
// they came from ("" for none), or flush true when everything must go (the
// flush request, or a payload this version cannot read — evicting too much
// is safe, too little is not).
func decodePayload(p string) (keys []string, from string, flush bool) {
	if rest, ok := strings.CutPrefix(p, "@"); ok {
		f, body, ok := strings.Cut(rest, ":")
		if !ok {
			return nil, "", true
		}
		keys, flush = decodeKeys(body)
		return keys, f, flush
	}
	keys, flush = decodeKeys(p)
	return keys, "", flush
}

func decodeKeys(p string) (keys []string, flush bool) {
	if !strings.HasPrefix(p, "[") {
		return nil, true
	}
	if err := json.Unmarshal([]byte(p), &keys); err != nil {
		return nil, true
	}
	return keys, false
}

// publish sends cks on the repository's channel. Inside a transaction
// (the usual case: see notifying) the notification is part of it. Outside
// one, which only a path that notifying does not wrap can reach, it is
// sent at once on the primary: late, but never missing.
func (r *Repository[T]) publish(ctx context.Context, cks []string) {
	if r.cfg.notify == "" || len(cks) == 0 {
		return
	}
	q := ctx
	if !r.ctxInTx(ctx) {
		if r.can.primary != nil {
			q = r.can.primary.UsePrimary(ctx)
		}
	}
	from := ""
	if g, ok := r.cfg.cache.(*guardedCache); ok && r.callbackAfterCommit(ctx) {
		// This cache is kept by the write's own callback after the commit
		// (which may put the row there: WithWriteThrough); its listener
		// need not evict it again.
		from = g.id
	}
	if _, err := r.q.Exec(q, notifySQL, r.cfg.notify, encodePayloads(cks, from)); err != nil && r.pend != nil {
		r.pend.fail(err)
	}
}

// pending collects, for a write that notifying wrapped in a transaction,
// what runs after its commit (cache deletes, audit records) and the first
// error of publishing.
type pending struct {
	mu  sync.Mutex
	fns []func()
	err error
}

func (p *pending) add(fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fns = append(p.fns, fn)
}

func (p *pending) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = err
	}
}

// wrapNotify reports whether a write on ctx needs notifying: the
// repository publishes and the write would otherwise run outside a
// transaction.
func (r *Repository[T]) wrapNotify(ctx context.Context) bool {
	return r.cfg.notify != "" && r.pend == nil && !r.ctxInTx(ctx)
}

// notifying runs fn, a write, in a transaction begun on the Querier so
// that its invalidations are published atomically with it: fn gets a copy
// of r bound to the transaction whose after-commit work (cache deletes,
// audit) is held until the commit succeeded, and dropped on rollback.
func (r *Repository[T]) notifying(ctx context.Context, op string, fn func(w *Repository[T]) error) error {
	tx, err := r.q.Begin(ctx)
	if err != nil {
		return wrapErr(op+": begin", r.table(), err)
	}
	w := *r
	w.q, w.boundTx, w.pend = tx, true, &pending{}
	if err := fn(&w); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx)) // the write's error is the one to report
		return err
	}
	if w.pend.err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return wrapErr(op+": publish invalidation", r.table(), w.pend.err)
	}
	if err := tx.Commit(ctx); err != nil {
		return wrapErr(op+": commit", r.table(), err)
	}
	for _, f := range w.pend.fns {
		f()
	}
	return nil
}

// notifyingN is notifying for a write that also returns a value.
func notifyingN[T, N any](ctx context.Context, r *Repository[T], op string, fn func(w *Repository[T]) (N, error)) (N, error) {
	var n N
	err := r.notifying(ctx, op, func(w *Repository[T]) error {
		var err error
		n, err = fn(w)
		return err
	})
	if err != nil {
		var zero N
		return zero, err
	}
	return n, nil
}

// callbackAfterCommit reports whether the write's after-commit work runs
// after the outermost commit (not at once, as on a bound pgx.Tx without
// AfterCommit, where only the notification evicts what a reader refilled
// before the commit).
func (r *Repository[T]) callbackAfterCommit(ctx context.Context) bool {
	if r.pend != nil {
		return true
	}
	// Asked without registering anything: an AfterCommitter that cannot
	// say whether ctx carries a transaction (no TxCarrier) answers false,
	// which only costs its listener one redundant eviction.
	return r.can.commit != nil && r.can.tx != nil && r.can.tx.HasTx(ctx)
}
