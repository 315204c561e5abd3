package main

import (
	"fmt"

	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
)

func main() {
	m, err := prom.New(prometheus.NewRegistry(), prom.Options{})
	var _ observe.Metrics = m
	fmt.Println(m != nil, err)
}
