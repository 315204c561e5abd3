package main

import (
	"fmt"

	"github.com/normkit/norm/rlsutil"
)

func main() {
	stmts, err := rlsutil.EnableRLS("notes")
	fmt.Println(stmts[0], err)
}
