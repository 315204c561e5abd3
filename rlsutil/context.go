package rlsutil

import (
	"context"
	"maps"

	"github.com/jackc/pgx/v5"
)

type settingsKey struct{}

// ContextWithTenant returns a copy of ctx that carries tenant as the value
// of TenantSetting, keeping any role or other settings ctx already
// carries. BeginContext and ApplyContext apply it to transactions.
func ContextWithTenant(ctx context.Context, tenant string) context.Context {
	s := SettingsFromContext(ctx)
	vars := maps.Clone(s.Vars)
	if vars == nil {
		vars = map[string]string{}
	}
	vars[TenantSetting] = tenant
	s.Vars = vars
	return context.WithValue(ctx, settingsKey{}, s)
}

// ContextWithSettings returns a copy of ctx that carries s, replacing
// what ctx carried.
func ContextWithSettings(ctx context.Context, s Settings) context.Context {
	s.Vars = maps.Clone(s.Vars)
	return context.WithValue(ctx, settingsKey{}, s)
}

// SettingsFromContext returns the settings ctx carries, or zero Settings.
func SettingsFromContext(ctx context.Context) Settings {
	s, _ := ctx.Value(settingsKey{}).(Settings)
	return s
}

// ApplyContext applies the settings ctx carries to tx. With none, it still
// sets TenantSetting, to the empty string (no tenant: the policies match no
// row), so that no value of it from anywhere else — a session-level
// set_config — applies in this transaction. Its signature fits a "run
// after BEGIN" hook, so a connection layer can apply the caller's tenant
// to every transaction it begins: with norm's pool, set
// pool.Config.OnBegin = rlsutil.ApplyContext.
func ApplyContext(ctx context.Context, tx pgx.Tx) error {
	s := SettingsFromContext(ctx)
	if _, ok := s.Vars[TenantSetting]; !ok {
		vars := make(map[string]string, len(s.Vars)+1)
		for k, v := range s.Vars {
			vars[k] = v
		}
		vars[TenantSetting] = ""
		s.Vars = vars
	}
	return Apply(ctx, tx, s)
}

// BeginContext begins a transaction on db and applies the settings ctx
// carries, for code that manages transactions itself. The caller commits
// or rolls back as usual.
func BeginContext(ctx context.Context, db Beginner) (pgx.Tx, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := ApplyContext(ctx, tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return tx, nil
}
