package notes

import "time"

// Tenant is one customer of the service. Tenants are managed by the
// operator, so the table has no row-level security.
type Tenant struct {
	ID        int64     `db:"id" norm:"pk,identity" json:"id"`
	Name      string    `db:"name" norm:"unique" json:"name"`
	CreatedAt time.Time `db:"created_at" norm:"default:now(),readonly" json:"created_at"`
}

// TableName names the tenants table.
func (Tenant) TableName() string { return "tenants" }

// User is a person writing notes inside one tenant.
type User struct {
	ID       int64  `db:"id" norm:"pk,identity" json:"id"`
	TenantID int64  `db:"tenant_id" norm:"fk:tenants(id),index" json:"tenant_id"`
	Email    string `db:"email" norm:"unique" json:"email"`
	Name     string `db:"name" json:"name"`
}

// TableName names the users table.
func (User) TableName() string { return "users" }

// Note is a tenant's note: soft-deleted through DeletedAt and protected
// against lost updates by Version.
type Note struct {
	ID        int64      `db:"id" norm:"pk,identity" json:"id"`
	TenantID  int64      `db:"tenant_id" norm:"fk:tenants(id),index" json:"tenant_id"`
	AuthorID  int64      `db:"author_id" norm:"fk:users(id)" json:"author_id"`
	Title     string     `db:"title" json:"title"`
	Body      string     `db:"body" json:"body"`
	Version   int        `db:"version" norm:"version" json:"version"`
	CreatedAt time.Time  `db:"created_at" norm:"default:now(),readonly" json:"created_at"`
	DeletedAt *time.Time `db:"deleted_at" norm:"soft_delete" json:"deleted_at,omitempty"`
	Comments  []Comment  `norm:"rel:has_many,fk:note_id" json:"comments,omitempty"`
}

// TableName names the notes table.
func (Note) TableName() string { return "notes" }

// Comment belongs to a note (and, for row-level security, to its tenant).
type Comment struct {
	ID        int64     `db:"id" norm:"pk,identity" json:"id"`
	TenantID  int64     `db:"tenant_id" norm:"fk:tenants(id)" json:"tenant_id"`
	NoteID    int64     `db:"note_id" norm:"fk:notes(id),index" json:"note_id"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" norm:"default:now(),readonly" json:"created_at"`
}

// TableName names the comments table.
func (Comment) TableName() string { return "comments" }

// Models lists the models the auto-migration creates, in dependency order.
func Models() []any { return []any{Tenant{}, User{}, Note{}, Comment{}} }
