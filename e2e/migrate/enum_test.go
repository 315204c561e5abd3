package migrate_test

import (
	"testing"

	"github.com/normkit/norm/migrate"
)

// moodRow uses enum types created in SQL (auto-migrations do not model
// enums): a plain name, a quoted mixed-case one and one in another schema.
type moodRow struct {
	ID    int64   `db:"id" norm:"pk"`
	Mood  string  `db:"mood" norm:"type:mood"`
	Tone  *string `db:"tone" norm:"type:\"Tone\""`
	Level string  `db:"level" norm:"type:ops.level,default:'low'"`
}

func (moodRow) TableName() string { return "moods" }

// TestEnumColumnsFromSQLReplanEmpty: the documented way to use enums —
// create the types in a SQL migration, name them in the model's type: —
// creates the table once and then plans nothing, whatever the spelling of
// the type name.
func TestEnumColumnsFromSQLReplanEmpty(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	ctx := ctxT(t)
	if _, err := conn.Exec(ctx, `
		CREATE TYPE mood AS ENUM ('happy', 'sad');
		CREATE TYPE "Tone" AS ENUM ('calm', 'loud');
		CREATE SCHEMA ops;
		CREATE TYPE ops.level AS ENUM ('low', 'high')`); err != nil {
		t.Fatal(err)
	}
	a := newAuto(t, conn, []any{moodRow{}}, migrate.AutoOptions{})
	if _, err := a.Apply(ctx); err != nil {
		t.Fatalf("apply: %v\n%s", err, mustPlan(t, a).Text())
	}
	if again := mustPlan(t, a); !again.Empty() {
		t.Fatalf("plan after creating the table is not empty:\n%s", again.Text())
	}
	var mood, tone, level string
	if err := conn.QueryRow(ctx, `
		INSERT INTO moods (id, mood, tone) VALUES (1, 'happy', 'calm')
		RETURNING mood::text, tone::text, level::text`).Scan(&mood, &tone, &level); err != nil {
		t.Fatal(err)
	}
	if mood != "happy" || tone != "calm" || level != "low" {
		t.Errorf("row = %s, %s, %s", mood, tone, level)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO moods (id, mood) VALUES (2, 'angry')`); err == nil {
		t.Error("the enum column accepted a value outside the enum")
	}
}
