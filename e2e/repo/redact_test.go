package repo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/e2e"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

func findSecrets(s string) []string { return e2e.FindSecrets(s, e2e.QuotedSecretNeedles) }

type Person struct {
	ID       int64  `db:"id" norm:"pk"`
	Email    string `db:"email"`
	Password string `db:"password"`
}

func (Person) TableName() string { return "people" }

// TestErrorsCarryNoValues drives repository calls whose server errors
// quote a value (in the message, Detail, Hint or Where), over a bare
// pgxpool and over pool.DB: the returned error's text holds none of
// them, and errors.As still finds the server's *pgconn.PgError with its
// message as sent.
func TestErrorsCarryNoValues(t *testing.T) {
	d, _ := setup(t, e2e.PeopleDDL)
	ctx := ctxT(t)
	pgxp, err := pgxpool.New(ctx, d.DSN())
	must(t, err)
	t.Cleanup(pgxp.Close)
	db, err := normpool.Open(ctx, normpool.Config{ConnString: d.DSN()})
	must(t, err)
	t.Cleanup(db.Close)

	for _, q := range []struct {
		name string
		q    repo.Querier
	}{{"pgxpool", pgxp}, {"pool.DB", db}} {
		people, err := repo.New[Person](q.q)
		must(t, err)
		cases := []struct {
			name string
			code string
			call func(context.Context) error
		}{
			{"trigger RAISE EXCEPTION with values", "P0001", func(ctx context.Context) error {
				return people.Create(ctx, &Person{ID: 1, Email: e2e.SecretBanned, Password: e2e.SecretPassword})
			}},
			{"trigger raising unique_violation with the value", "23505", func(ctx context.Context) error {
				return people.Create(ctx, &Person{ID: 2, Email: e2e.SecretBanned, Password: e2e.SecretPassword})
			}},
			{"check violation with the row in Detail", "23514", func(ctx context.Context) error {
				return people.Create(ctx, &Person{ID: 3, Email: e2e.SecretBanned, Password: e2e.SecretPassword})
			}},
			{"FindByID with a non-integer key", "22P02", func(ctx context.Context) error {
				_, err := people.FindByID(ctx, e2e.SecretInput)
				return err
			}},
			{"Find with a non-integer value", "22P02", func(ctx context.Context) error {
				_, err := people.Find(ctx, sqlb.Eq("id", e2e.SecretInput))
				return err
			}},
			{"syntax error near a quoted secret", "42601", func(ctx context.Context) error {
				_, err := people.Raw(ctx, `SELECT 'a' '`+e2e.SecretPassword+`'`)
				return err
			}},
			{"invalid input in a literal", "22P02", func(ctx context.Context) error {
				_, err := people.Raw(ctx, `SELECT '`+e2e.SecretInput+`'::bigint AS id`)
				return err
			}},
		}
		for _, tc := range cases {
			err := tc.call(ctx)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Errorf("%s %s: want a %s server error, got %v", q.name, tc.name, tc.code, err)
				continue
			}
			all := strings.Join([]string{pe.Message, pe.Detail, pe.Hint, pe.Where, pe.InternalQuery}, "\n")
			if findSecrets(all) == nil {
				t.Errorf("%s %s: the server's error quotes no secret, the case tests nothing: %+v", q.name, tc.name, pe)
			}
			if leaks := findSecrets(err.Error()); len(leaks) > 0 {
				t.Errorf("%s %s: error text leaks %v: %s", q.name, tc.name, leaks, err)
			}
			if !strings.Contains(err.Error(), tc.code) && !errors.Is(err, repo.ErrUniqueViolation) && !errors.Is(err, repo.ErrCheckViolation) {
				t.Errorf("%s %s: error text lost the SQLSTATE: %s", q.name, tc.name, err)
			}
			if !strings.HasPrefix(err.Error(), "repo: ") {
				t.Errorf("%s %s: error text lost its operation: %s", q.name, tc.name, err)
			}
		}
	}
}
