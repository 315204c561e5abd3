// Command release releases norm modules: for each MODULE@VERSION (MODULE is
// the directory, "sqlb" or "observe/prom") it
//
//  1. compares the module's API with its previous release (the highest tag
//     MODULE/vX.Y.Z) using golang.org/x/exp/apidiff, and refuses a version
//     whose bump is smaller than the change needs (v0.x: a breaking change
//     needs a minor bump; from v1: a breaking change needs a major bump, an
//     addition a minor one);
//  2. turns the Unreleased section of MODULE/CHANGELOG.md into the
//     version's entry (the API report when Unreleased is empty);
//  3. raises the requirement of every sibling that requires the module to
//     the new version, and the module's replace in go.work;
//  4. commits that and creates the annotated tag MODULE/VERSION.
//
// Several modules are released dependencies first. -dry-run prints what it
// would do and changes nothing. Nothing is pushed: push the commits and
// tags yourself (git push origin main MODULE/VERSION ...). See
// docs/releasing.md; make release runs it.
//
//	release [-root DIR] [-dry-run] [-date YYYY-MM-DD] MODULE@VERSION ...
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/normkit/norm/tools/internal/changelog"
	"github.com/normkit/norm/tools/internal/modset"
)

func main() {
	root := flag.String("root", "..", "repository root (holds go.work)")
	dryRun := flag.Bool("dry-run", false, "print what would be done, change nothing")
	date := flag.String("date", time.Now().UTC().Format(time.DateOnly), "release date written to CHANGELOG.md")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: release [-root DIR] [-dry-run] [-date YYYY-MM-DD] MODULE@VERSION ...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*root, *date, *dryRun, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "release: %v\n", err)
		os.Exit(1)
	}
}

func parseRequests(tree *modset.Tree, args []string) (map[*modset.Module]string, []*modset.Module, error) {
	versions := map[*modset.Module]string{}
	var mods []*modset.Module
	for _, a := range args {
		dir, version, ok := strings.Cut(a, "@")
		if !ok {
			return nil, nil, fmt.Errorf("%q: want MODULE@VERSION, e.g. sqlb@v0.2.0", a)
		}
		m := tree.ByDir(dir)
		if m == nil || !m.Published() {
			return nil, nil, fmt.Errorf("%q: no published module in directory %s", a, dir)
		}
		if _, dup := versions[m]; dup {
			return nil, nil, fmt.Errorf("%s named twice", dir)
		}
		versions[m] = version
		mods = append(mods, m)
	}
	return versions, mods, nil
}

func run(root, date string, dryRun bool, args []string) error {
	tree, err := modset.Load(root)
	if err != nil {
		return err
	}
	if probs := tree.Problems(); len(probs) > 0 {
		return fmt.Errorf("the tree is not consistent; fix it first:\n\t%s", strings.Join(probs, "\n\t"))
	}
	versions, mods, err := parseRequests(tree, args)
	if err != nil {
		return err
	}
	ordered, err := tree.Order(mods)
	if err != nil {
		return err
	}
	if !dryRun {
		if st, err := git(tree.Root, "status", "--porcelain"); err != nil {
			return err
		} else if st != "" {
			return errors.New("the working tree has uncommitted changes; commit or stash them first")
		}
	}
	var tags []string
	for _, m := range ordered {
		tag, err := releaseOne(tree, m, versions[m], date, dryRun)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Dir, err)
		}
		tags = append(tags, tag)
	}
	verb := "created"
	if dryRun {
		verb = "would create"
	}
	fmt.Printf("%s tags %s; nothing was pushed: git push origin HEAD %s\n", verb, strings.Join(tags, " "), strings.Join(tags, " "))
	return nil
}

func releaseOne(tree *modset.Tree, m *modset.Module, version, date string, dryRun bool) (string, error) {
	say := func(format string, args ...any) {
		prefix := ""
		if dryRun {
			prefix = "(dry run) "
		}
		fmt.Printf("%s%s: %s\n", prefix, m.Dir, fmt.Sprintf(format, args...))
	}
	tag := m.TagPrefix() + version
	prev, err := latestTag(tree.Root, m.TagPrefix())
	if err != nil {
		return "", err
	}
	if prev == version {
		return "", fmt.Errorf("%s is already tagged", tag)
	}

	// 1. The API against the previous release.
	var change apiChange
	if prev == "" {
		say("first release: no previous tag %sv*, no API comparison", m.TagPrefix())
	} else {
		change, err = apiSince(tree, m, prev)
		if err != nil {
			return "", err
		}
		say("API since %s%s: %d breaking, %d compatible changes", m.TagPrefix(), prev, len(change.Incompatible), len(change.Compatible))
		for _, c := range change.Incompatible {
			say("  breaking: %s", c)
		}
		for _, c := range change.Compatible {
			say("  added:    %s", c)
		}
	}
	if err := checkVersion(m.Path, prev, version, change); err != nil {
		return "", err
	}

	// 2. The changelog.
	writes := map[string][]byte{}
	clPath := filepath.Join(m.AbsDir, "CHANGELOG.md")
	cl, err := os.ReadFile(clPath)
	if err != nil {
		return "", err
	}
	if latest, _ := changelog.Latest(string(cl)); "v"+latest == version {
		say("CHANGELOG.md already has the %s entry", version)
	} else {
		text, err := changelog.Release(string(cl), strings.TrimPrefix(version, "v"), date, changelogFallback(change))
		if err != nil {
			return "", err
		}
		writes[clPath] = []byte(text)
		say("CHANGELOG.md: Unreleased becomes [%s] - %s", strings.TrimPrefix(version, "v"), date)
	}

	// 3. Siblings that require it, and go.work.
	for _, d := range tree.Dependents(m) {
		p := filepath.Join(d.AbsDir, "go.mod")
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		out, err := setRequire(p, data, m.Path, version)
		if err != nil {
			return "", err
		}
		if string(out) != string(data) {
			writes[p] = out
			say("%s/go.mod: require %s %s", d.Dir, m.Path, version)
		}
	}
	work := filepath.Join(tree.Root, "go.work")
	data, err := os.ReadFile(work)
	if err != nil {
		return "", err
	}
	out, err := setWorkReplace(work, data, m.Path, version, "./"+m.Dir)
	if err != nil {
		return "", err
	}
	if string(out) != string(data) {
		writes[work] = out
		say("go.work: replace %s %s => ./%s", m.Path, version, m.Dir)
	}

	// 4. Commit and tag.
	msg := fmt.Sprintf("%s: release %s", m.Dir, version)
	if len(writes) > 0 {
		say("commit %q and tag %s", msg, tag)
	} else {
		say("nothing to commit; tag %s", tag)
	}
	if dryRun {
		return tag, nil
	}
	var files []string
	for p, data := range writes {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
		files = append(files, p)
	}
	if len(files) > 0 {
		if _, err := git(tree.Root, append([]string{"add", "--"}, files...)...); err != nil {
			return "", err
		}
		body := fmt.Sprintf("%s\n\nReleased with make release: the API check against %s passed;\nsiblings that require %s now require %s.\n", msg, orNone(prev), m.Dir, version)
		if _, err := git(tree.Root, "commit", "-q", "-m", body); err != nil {
			return "", err
		}
	}
	if _, err := git(tree.Root, "tag", "-a", tag, "-m", m.Path+" "+version); err != nil {
		return "", err
	}
	return tag, nil
}

func orNone(prev string) string {
	if prev == "" {
		return "no previous release"
	}
	return prev
}

// apiSince compares the working tree's API of m with its release prev,
// read from the tag into a temporary directory.
func apiSince(tree *modset.Tree, m *modset.Module, prev string) (apiChange, error) {
	tmp, err := os.MkdirTemp("", "norm-release-")
	if err != nil {
		return apiChange{}, err
	}
	defer os.RemoveAll(tmp)
	if err := extract(tree.Root, m.TagPrefix()+prev, tmp); err != nil {
		return apiChange{}, err
	}
	old, err := loadAPI(m.Path, filepath.Join(tmp, filepath.FromSlash(m.Dir)))
	if err != nil {
		return apiChange{}, fmt.Errorf("the API of %s: %w", prev, err)
	}
	cur, err := loadAPI(m.Path, m.AbsDir)
	if err != nil {
		return apiChange{}, fmt.Errorf("the API of the working tree: %w", err)
	}
	return compareAPI(m.Path, old, cur), nil
}
