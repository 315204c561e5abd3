package main

import (
	"errors"
	"fmt"

	"github.com/normkit/norm/tools/pgtest"
)

func main() {
	opts := pgtest.Options{Replica: true}
	fmt.Println(opts.Replica, errors.Is(pgtest.ErrUnsupported, pgtest.ErrUnsupported))
}
