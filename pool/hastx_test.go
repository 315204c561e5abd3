package pool

import (
	"context"
	"testing"
)

// TestHasTxWithoutTransaction: a DB not made by Open, or a ctx carrying no
// transaction, has none; neither panics. (e2e/pool covers InTx.)
func TestHasTxWithoutTransaction(t *testing.T) {
	t.Parallel()
	var zero DB
	if zero.HasTx(context.Background()) {
		t.Error("zero DB: HasTx = true")
	}
	var nilDB *DB
	if nilDB.HasTx(context.Background()) {
		t.Error("nil DB: HasTx = true")
	}
	//nolint:staticcheck // a nil ctx is the misuse under test
	if zero.HasTx(nil) {
		t.Error("nil ctx: HasTx = true")
	}
}
