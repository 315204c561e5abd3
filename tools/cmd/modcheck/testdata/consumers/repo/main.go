package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/repo"
)

func main() {
	c := repo.NewLRU(8, time.Minute, time.Now)
	fmt.Println(c != nil, errors.Is(repo.ErrNotFound, pgx.ErrNoRows))
}
