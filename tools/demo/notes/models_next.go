package notes

import "time"

// NoteNext is the next version of Note, used to show how migrate plans a
// model change: a NOT NULL column without a default and an index on a
// populated table. The service never applies it.
type NoteNext struct {
	ID        int64      `db:"id" norm:"pk,identity"`
	TenantID  int64      `db:"tenant_id" norm:"fk:tenants(id),index"`
	AuthorID  int64      `db:"author_id" norm:"fk:users(id)"`
	Title     string     `db:"title" norm:"index"`
	Body      string     `db:"body"`
	Pinned    bool       `db:"pinned"`
	Version   int        `db:"version" norm:"version"`
	CreatedAt time.Time  `db:"created_at" norm:"default:now(),readonly"`
	DeletedAt *time.Time `db:"deleted_at" norm:"soft_delete"`
}

// TableName maps NoteNext onto the notes table.
func (NoteNext) TableName() string { return "notes" }
