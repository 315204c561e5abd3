package pool

import (
	"context"
	"testing"

	normpool "github.com/normkit/norm/pool"
)

// TestHasTxTellsWhetherCtxCarriesAnOpenTransaction: HasTx is true for the
// ctx InTx passes fn (and a nested InTx's), false outside, for another
// DB's transaction, after the transaction ended, and on a DB never opened;
// asking registers nothing, so it leaves AfterCommit's callbacks alone.
func TestHasTxTellsWhetherCtxCarriesAnOpenTransaction(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	dbA, _ := openReplicated(t, cluster, txSchema, normpool.Config{})
	dbB, _ := openReplicated(t, cluster, txSchema, normpool.Config{})
	if dbA.HasTx(ctx) {
		t.Error("HasTx outside any transaction = true")
	}
	var ended context.Context
	err := dbA.InTx(ctx, func(ctx context.Context) error {
		ended = ctx
		if !dbA.HasTx(ctx) {
			t.Error("HasTx inside InTx = false")
		}
		if dbB.HasTx(ctx) {
			t.Error("HasTx of another DB inside this DB's InTx = true")
		}
		return dbA.InTx(ctx, func(ctx context.Context) error {
			if !dbA.HasTx(ctx) {
				t.Error("HasTx inside a nested InTx (savepoint) = false")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if dbA.HasTx(ended) {
		t.Error("HasTx with the ctx of a committed transaction = true")
	}
	var zero normpool.DB
	if zero.HasTx(ctx) {
		t.Error("HasTx on a DB never opened = true")
	}
}
