package migrate_test

import (
	"testing"

	"github.com/normkit/norm/migrate"
)

type busyV2 struct {
	ID    int64  `db:"id" norm:"pk,auto_increment"`
	Name  string `db:"name" norm:"type:varchar(20),index"`
	Qty   int32  `db:"qty" norm:"index"`
	Note  string `db:"note"`
	Owner *int64 `db:"owner_id" norm:"fk:owners(id)"`
}

func (busyV2) TableName() string { return "items" }

// TestOnlineKeepsWritersRunning applies index builds, a foreign key and a
// NOT NULL in online mode while a writer inserts continuously: the writer
// must never fail, and must make progress while the migration runs.
func TestOnlineKeepsWritersRunning(t *testing.T) {
	t.Parallel()
	db, conn := itemsV1(t)
	ctx := ctxT(t)
	if _, err := conn.Exec(ctx, `INSERT INTO owners DEFAULT VALUES;
		INSERT INTO items (name, qty, note, owner_id) SELECT 'item ' || g, g, 'n', 1 FROM generate_series(1, 50000) g`); err != nil {
		t.Fatal(err)
	}
	a := newAuto(t, conn, []any{owner{}, busyV2{}}, migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: true}})
	plan := mustPlan(t, a)
	if s := plan.MaxSeverity(); s > migrate.Info {
		t.Errorf("online plan still has %s hazards:\n%s", s, plan.Text())
	}
	during, failures, firstErr := underWriter(t, db.Pool(t), "INSERT INTO items (name, qty, note, owner_id) VALUES ('w', 1, 'n', 1)", func() {
		if _, err := a.Apply(ctx); err != nil {
			t.Errorf("online apply: %v\n%s", err, plan.Text())
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	if failures != 0 {
		t.Errorf("writer failed %d times during the online migration; first: %v", failures, firstErr)
	}
	if during == 0 {
		t.Error("writer made no progress while the migration ran")
	}
	t.Logf("writer inserted %d rows while the migration ran", during)
	if again := mustPlan(t, a); !again.Empty() {
		t.Errorf("plan after online apply:\n%s", again.Text())
	}
}
