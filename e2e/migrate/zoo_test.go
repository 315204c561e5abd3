package migrate_test

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// The model zoo covers every tag and Go type FromModels maps; applying it
// and planning again must give an empty plan.

type Tenant struct {
	ID   int64  `db:"id" norm:"pk,auto_increment"`
	Slug string `db:"slug" norm:"unique,collate:C"`
	Name string `db:"name" norm:"comment:display name"`
}

type Account struct {
	ID        int64           `db:"id" norm:"pk,auto_increment"`
	TenantID  int64           `db:"tenant_id" norm:"fk:tenants(id),on_delete:cascade,index"`
	Email     string          `db:"email" norm:"unique:tenant_email"`
	Handle    string          `db:"handle" norm:"type:varchar(64),unique:tenant_email"`
	Active    bool            `db:"active" norm:"default:true"`
	Score     float64         `db:"score" norm:"default:0"`
	Ratio     float32         `db:"ratio"`
	Small     int16           `db:"small"`
	Medium    int32           `db:"medium"`
	Balance   pgtype.Numeric  `db:"balance" norm:"type:numeric(12,2)"`
	Nickname  *string         `db:"nickname"`
	Bio       sql.NullString  `db:"bio"`
	Tags      []string        `db:"tags"`
	Lucky     []int64         `db:"lucky"`
	Settings  json.RawMessage `db:"settings" norm:"default:'{}'"`
	Prefs     map[string]any  `db:"prefs"`
	Avatar    []byte          `db:"avatar"`
	Key       [16]byte        `db:"api_key" norm:"default:gen_random_uuid()"`
	Status    string          `db:"status" norm:"default:'active',index:accounts_status_idx,index_where:status <> 'closed'"`
	CreatedAt time.Time       `db:"created_at" norm:"default:now()"`
	UpdatedAt time.Time       `db:"updated_at" norm:"default:now(),on_update:now()"`
	DeletedAt *time.Time      `db:"deleted_at" norm:"soft_delete"`
	Version   int64           `db:"version" norm:"version,default:1"`
}

type Membership struct {
	TenantID  int64     `db:"tenant_id" norm:"pk,fk:tenants(id)"`
	AccountID int64     `db:"account_id" norm:"pk,fk:accounts(id),on_delete:cascade,deferrable"`
	Role      string    `db:"role" norm:"default:'member'"`
	JoinedAt  time.Time `db:"joined_at" norm:"default:CURRENT_TIMESTAMP"`
}

// Reserved words as table and column names.
type Order struct {
	ID     int64  `db:"id" norm:"pk,auto_increment"`
	Select string `db:"select"`
	User   string `db:"user" norm:"index"`
}

func (Order) TableName() string { return "order" }

// A non-public schema.
type AuditEntry struct {
	ID   int64  `db:"id" norm:"pk,auto_increment"`
	What string `db:"what"`
}

func (AuditEntry) TableName() string { return "audit.entries" }

func zoo() []any {
	return []any{Tenant{}, Account{}, Membership{}, Order{}, AuditEntry{}}
}
