package main

import (
	"fmt"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

type User struct {
	ID    int64  `db:"id" norm:"pk"`
	Email string `db:"email"`
}

func main() {
	s, err := migrate.FromModels(User{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The runner is a package of the same module, under the same lock.
	fmt.Println(len(s.Tables), "table, one lock:", versioned.LockKey == migrate.LockKey)
}
