package main

import (
	"fmt"

	"github.com/normkit/norm/migrate"
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
	fmt.Println(len(s.Tables), "table")
}
