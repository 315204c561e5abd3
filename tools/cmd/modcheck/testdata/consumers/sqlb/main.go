package main

import (
	"fmt"

	"github.com/normkit/norm/sqlb"
)

func main() {
	sql, args, err := sqlb.Select("id", "email").From("users").Where(sqlb.Eq("team_id", 7)).ToSQL()
	fmt.Println(sql, args, err)
}
