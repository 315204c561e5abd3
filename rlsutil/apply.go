package rlsutil

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is the part of pgx's executor surface rlsutil uses. *pgx.Conn,
// *pgxpool.Pool, pgx.Tx and norm's *pool.DB satisfy it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Apply applies s to the transaction tx in one round trip:
//
//	SELECT set_config($1, $2, true), …, set_config('role', $n, true),
//	       set_config('rlsutil.tx', <the transaction's token>, true)
//
// The last setting binds the others to this transaction (see
// BindingSetting): the policies TenantPolicy generates honor a tenant only
// in the transaction Apply set it in.
//
// Every name and value is a bind parameter. set_config('role', r, true)
// is what SET LOCAL ROLE r does (same permission checks), without putting
// the role name into the statement text. Because is_local is true, the
// settings end with the transaction — commit or rollback — and never
// reach the next user of a pooled connection, also behind PgBouncer in
// transaction pooling mode. Called outside a transaction, PostgreSQL
// applies and discards them at once, so Apply is useless, not dangerous,
// there.
func Apply(ctx context.Context, tx Querier, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return apply(ctx, tx, s)
}

// apply runs the statement for settings already validated.
func apply(ctx context.Context, tx Querier, s Settings) error {
	sql, args := applyStatement(s)
	if sql == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("rlsutil: apply settings %s: %w", s.describe(), err)
	}
	return nil
}

func applyStatement(s Settings) (string, []any) {
	names := s.names()
	n := len(names)
	if s.Role != "" {
		n++
	}
	if n == 0 {
		return "", nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*n)
	b.WriteString("SELECT ")
	add := func(name, value string) {
		if len(args) > 0 {
			b.WriteString(", ")
		}
		args = append(args, name, value)
		b.WriteString("set_config($" + strconv.Itoa(len(args)-1) + ", $" + strconv.Itoa(len(args)) + ", true)")
	}
	for _, name := range names {
		add(name, s.Vars[name])
	}
	if s.Role != "" {
		add("role", s.Role)
	}
	b.WriteString(", set_config('" + BindingSetting + "', " + txToken + ", true)")
	return b.String(), args
}

// describe names what is being set without values, which may be secret
// or personal (a tenant id is often both).
func (s Settings) describe() string {
	parts := s.names()
	if s.Role != "" {
		parts = append(parts, "role "+strconv.Quote(s.Role))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
