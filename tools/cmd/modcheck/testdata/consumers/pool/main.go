package main

import (
	"fmt"

	"github.com/normkit/norm/pool"
)

func main() {
	lsn, err := pool.ParseLSN("16/B374D848")
	fmt.Println(pool.FormatLSN(lsn), err, pool.ErrCircuitOpen)
}
