package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/normkit/norm/tools/internal/modproxy"
	"github.com/normkit/norm/tools/internal/modset"
)

// env is the tree, the proxy it was published into, and the environment
// the go command runs with against that proxy.
type env struct {
	ctx      context.Context
	tree     *modset.Tree
	proxy    string // directory of the file proxy
	modcache string // GOMODCACHE of every go command modcheck runs
	vars     []string
}

// newEnv loads the tree and serves its published modules from a fresh
// file proxy (modproxy.Serve) under .cache/modcheck.
func newEnv(ctx context.Context, root string) (*env, error) {
	tree, err := modset.Load(root)
	if err != nil {
		return nil, err
	}
	s, err := modproxy.Serve(ctx, tree, cacheDir(tree.Root))
	if err != nil {
		return nil, err
	}
	return &env{ctx: ctx, tree: tree, proxy: s.Proxy, modcache: s.ModCache, vars: s.Vars}, nil
}

// run runs the go command (or another program) in dir with the proxy
// environment plus extra, returning stdout and stderr together.
func (e *env) run(dir string, extra []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(e.ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), e.vars...), extra...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("%s %s (in %s): %w\n%s", name, strings.Join(args, " "), dir, err, indent(out.String()))
	}
	return out.String(), nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}
