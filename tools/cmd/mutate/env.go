package main

import (
	"context"
	"slices"
	"strings"

	"github.com/normkit/norm/tools/internal/modproxy"
	"github.com/normkit/norm/tools/internal/modset"
)

// gremlinsEnv gives the environment gremlins and the go commands it
// starts run with, for each module.
//
// gremlins copies the module's directory alone into a temporary
// directory and tests every mutant there, outside go.work, so the
// module must build as a user's build sees it (GOWORK=off). A module
// that requires a sibling at a version not on any module proxy yet gets
// the working tree of its siblings from a file proxy under cache
// (modproxy.Serve, as modcheck does for the tidy check), published once
// a run.
//
// -count=1 keeps the coverage run, whose duration times every mutant's
// test run, from being a cached result.
type gremlinsEnv struct {
	tree   *modset.Tree
	cache  string
	served *modproxy.Served
}

func (g *gremlinsEnv) vars(ctx context.Context, m *modset.Module) ([]string, error) {
	if !requiresSibling(m) {
		return []string{"GOWORK=off", "GOFLAGS=-count=1", "GOTOOLCHAIN=local"}, nil
	}
	if g.served == nil {
		s, err := modproxy.Serve(ctx, g.tree, g.cache)
		if err != nil {
			return nil, err
		}
		g.served = s
	}
	return append(slices.Clip(g.served.Vars), "GOFLAGS=-count=1 -mod=mod"), nil // the last GOFLAGS wins
}

// requiresSibling reports whether m requires another norm module.
func requiresSibling(m *modset.Module) bool {
	for _, r := range m.File.Require {
		if strings.HasPrefix(r.Mod.Path, modset.Prefix) {
			return true
		}
	}
	return false
}
