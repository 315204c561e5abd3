package main

import (
	"fmt"
	"os"

	"github.com/normkit/norm/observe"
	"github.com/rs/zerolog"
)

func main() {
	logger := observe.NewLogger(zerolog.New(os.Stderr), observe.LogConfig{})
	tracer := observe.New(observe.Config{Observers: []observe.Observer{logger}})
	fmt.Println(tracer != nil, observe.Normalize("SELECT * FROM users WHERE email = 'a@b.c'"))
}
