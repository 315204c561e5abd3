// Command modcheck proves that norm's modules work as published modules,
// not only inside the go.work workspace. It publishes the working tree's
// modules into a throwaway file-based module proxy (under .cache/modcheck)
// at the versions their CHANGELOG.md files name, and then:
//
//	modcheck tidy [-write]  every module's go.mod/go.sum is tidy with GOWORK=off
//	                        (-write tidies them: make tidy)
//	modcheck gomin          each published module builds, vets and passes its
//	                        unit tests with the Go toolchain its go directive names
//	modcheck consumer       fresh consumer modules outside the tree go get each
//	                        module alone, build and run a program with it, and
//	                        check its module graph and the Go version it forces;
//	                        every go get / go install line of the docs runs too
//
// Run it from the tools directory with -root pointing at the repository
// (the Makefile does: make lint, make tidy, make go-min, make consumer-check).
// It never reads git tags: what it publishes is the working tree.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd, args := os.Args[1], os.Args[2:]
	fs := flag.NewFlagSet("modcheck "+cmd, flag.ExitOnError)
	root := fs.String("root", "..", "repository root (holds go.work)")
	write := fs.Bool("write", false, "tidy: write the tidy go.mod/go.sum instead of checking")
	keep := fs.Bool("keep", false, "consumer: keep the consumer modules (their directory is printed)")
	_ = fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := newEnv(ctx, *root)
	if err != nil {
		fail(err)
	}
	switch cmd {
	case "tidy":
		err = runTidy(env, *write)
	case "gomin":
		err = runGoMin(env)
	case "consumer":
		err = runConsumer(env, *keep)
	default:
		usage()
	}
	if err != nil {
		fail(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: modcheck tidy [-write] | gomin | consumer [-keep]   [-root DIR]")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "modcheck: %v\n", err)
	os.Exit(1)
}

// cacheDir is where modcheck keeps the proxy and its module cache.
func cacheDir(root string) string { return filepath.Join(root, ".cache", "modcheck") }
