package repo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

type User struct {
	ID        int64      `db:"id" norm:"pk,identity"`
	Email     string     `db:"email" norm:"unique"`
	Name      string     `db:"name"`
	Version   int        `db:"version" norm:"version"`
	UpdatedAt time.Time  `db:"updated_at" norm:"default:now(),on_update:now()"`
	DeletedAt *time.Time `db:"deleted_at"` // soft delete by convention
	Posts     []Post     `norm:"rel:has_many,fk:author_id"`
}

type Post struct {
	ID       int64  `db:"id" norm:"pk,identity"`
	AuthorID int64  `db:"author_id"`
	Title    string `db:"title"`
}

func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://localhost/app")
	if err != nil {
		log.Fatal(err)
	}
	users, err := repo.New[User](pool, repo.WithCache(repo.NewLRU(10000, time.Minute, nil), time.Minute))
	if err != nil {
		log.Fatal(err) // a bad model
	}
	run(ctx, users)
	pool.Close()
}

func run(ctx context.Context, users *repo.Repository[User]) {

	u := &User{Email: "ann@example.com", Name: "Ann"}
	if err := users.Create(ctx, u); errors.Is(err, repo.ErrUniqueViolation) {
		fmt.Println("email taken")
	}
	u.Name = "Ann B."
	if err := users.Update(ctx, u); errors.Is(err, repo.ErrStale) {
		fmt.Println("someone else changed it; reload and retry")
	}
	recent, err := users.Query().
		Where(sqlb.ILike("email", "%@example.com")).
		OrderBy(sqlb.Desc("updated_at")).
		Limit(20).
		Find(ctx)
	if err != nil {
		log.Print(err)
		return
	}
	if err := users.Preload(ctx, recent, "Posts"); err != nil {
		log.Print(err)
		return
	}
	_ = users.Delete(ctx, u) // sets deleted_at; reads no longer see it
}

func ExampleRepository_FindCursor() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	users, _ := repo.New[User](pool)
	codec, _ := sqlb.NewCursorCodec([]byte("a 32-byte secret from your vault"))
	page, err := users.Query().OrderBy(sqlb.Desc("updated_at")).Cursor(ctx, codec, "", 50)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Next != "") // hand page.Next to the client
}

func ExampleRepository_CreateBatch() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	users, _ := repo.New[User](pool)
	batch := make([]User, 100000)
	for i := range batch {
		batch[i] = User{Email: fmt.Sprintf("u%d@example.com", i), Name: "n"}
	}
	// Chunked under the parameter limit, in one transaction: all or nothing.
	if err := users.CreateBatch(ctx, batch); err != nil {
		log.Fatal(err)
	}
	fmt.Println(batch[0].ID != 0) // generated IDs are filled in
}

func ExampleRepository_Upsert() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	users, _ := repo.New[User](pool)
	u := &User{Email: "ann@example.com", Name: "Ann"}
	written, err := users.Upsert(ctx, u, repo.OnConflict("email"), repo.UpdateColumns("name"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(written, u.ID)
}

func ExampleRepository_PreloadPtrs() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	users, _ := repo.New[User](pool)
	// A []*User, as a service layer or a cache hands it out.
	ann, _ := users.FindOne(ctx, sqlb.Eq("email", "ann@example.com"))
	bob, _ := users.FindOne(ctx, sqlb.Eq("email", "bob@example.com"))
	list := []*User{ann, bob}
	// One query loads the posts of every user in list, whatever its length.
	// A nil entry (say bob was not found) is an ErrInvalid naming its index.
	if err := users.PreloadPtrs(ctx, list, "Posts"); err != nil {
		log.Fatal(err)
	}
	for _, u := range list {
		fmt.Println(u.Email, len(u.Posts))
	}
}

func ExampleRepository_WithTrashed() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	users, _ := repo.New[User](pool)
	u, err := users.WithTrashed().FindByID(ctx, int64(42))
	if err != nil {
		log.Fatal(err)
	}
	u.Name = "fixed in the trash"
	// The default view leaves a soft-deleted row alone...
	if err := users.Update(ctx, u); errors.Is(err, repo.ErrNotFound) && u.DeletedAt != nil {
		fmt.Println("soft-deleted: not written")
	}
	// ...the WithTrashed view is the explicit way to write it (it stays deleted).
	if err := users.WithTrashed().Update(ctx, u); err != nil {
		log.Fatal(err)
	}
}

// A join projected into a struct that is not a model: no table, columns
// matched by name with the model tag rules.
func ExampleSelect() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	type PostLine struct {
		Title  string `db:"title"`
		Author string `db:"author"`
	}
	lines, err := repo.Select[PostLine](ctx, pool, sqlb.Select("p.title").
		Column(sqlb.As(sqlb.Col("u.name"), "author")).
		From(sqlb.As("posts", "p")).Join(sqlb.As("users", "u"), sqlb.On("u.id", "p.author_id")))
	if err != nil {
		log.Fatal(err) // ErrInvalid naming a result column PostLine has no field for
	}
	fmt.Println(len(lines))
}

// An aggregate read with raw SQL into a struct; one row expected.
func ExampleGetRaw() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	type Stats struct {
		Posts int64 `db:"posts"`
		Users int64 `db:"users"`
	}
	s, err := repo.GetRaw[Stats](ctx, pool, `SELECT count(*) AS posts, count(DISTINCT author_id) AS users FROM posts WHERE id > $1`, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Posts, s.Users)
}

// Named parameters in a condition, bound from a map.
func ExampleQuery_WhereNamed() {
	ctx := context.Background()
	pool, _ := pgxpool.New(ctx, "postgres://localhost/app")
	users, _ := repo.New[User](pool)
	found, err := users.Query().
		WhereNamed("name ILIKE :q OR email ILIKE :q", map[string]any{"q": "%ann%"}).
		Find(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(found))
}
