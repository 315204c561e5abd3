package main

import (
	"fmt"

	"golang.org/x/mod/modfile"
)

// setRequire returns the go.mod text with its requirement of modPath set
// to version. It fails when the file does not require modPath at all.
func setRequire(name string, data []byte, modPath, version string) ([]byte, error) {
	f, err := modfile.Parse(name, data, nil)
	if err != nil {
		return nil, err
	}
	found := false
	for _, r := range f.Require {
		if r.Mod.Path == modPath {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("%s does not require %s", name, modPath)
	}
	if err := f.AddRequire(modPath, version); err != nil {
		return nil, err
	}
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
}

// setWorkReplace returns the go.work text with the replace of modPath (at
// whatever version) pointing version at dir instead, edited in place so
// the replace block keeps its shape; a missing replace is added.
func setWorkReplace(name string, data []byte, modPath, version, dir string) ([]byte, error) {
	f, err := modfile.ParseWork(name, data, nil)
	if err != nil {
		return nil, err
	}
	found := false
	for _, r := range f.Replace {
		if r.Old.Path != modPath {
			continue
		}
		tok := r.Syntax.Token
		i := 0
		for i < len(tok) && tok[i] != modPath {
			i++
		}
		if i+3 >= len(tok) || tok[i+2] != "=>" {
			return nil, fmt.Errorf("%s: replace of %s is not of the form PATH VERSION => DIR", name, modPath)
		}
		tok[i+1], tok[i+3] = version, dir
		r.Old.Version, r.New.Path = version, dir
		found = true
	}
	if !found {
		if err := f.AddReplace(modPath, version, dir, ""); err != nil {
			return nil, err
		}
	}
	f.Cleanup()
	return modfile.Format(f.Syntax), nil
}
