package main

import (
	"fmt"

	"github.com/normkit/norm/repo/rediscache"
	"github.com/redis/go-redis/v9"
)

type User struct {
	ID   int64  `db:"id" norm:"pk"`
	Name string `db:"name"`
}

func main() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	c, err := rediscache.For[User](rediscache.New(rdb, rediscache.Options{}))
	fmt.Println(c != nil, err)
}
