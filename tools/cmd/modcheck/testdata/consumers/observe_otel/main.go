package main

import (
	"fmt"

	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"go.opentelemetry.io/otel/trace/noop"
)

func main() {
	var o observe.Observer = otel.New(otel.Config{TracerProvider: noop.NewTracerProvider(), Database: "app"})
	fmt.Println(o != nil, otel.ScopeName)
}
