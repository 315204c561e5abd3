package main

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// bumpKind is how far a version moves from the previous release.
type bumpKind int

const (
	bumpPatch bumpKind = iota + 1
	bumpMinor
	bumpMajor
)

func (k bumpKind) String() string {
	return map[bumpKind]string{bumpPatch: "patch", bumpMinor: "minor", bumpMajor: "major"}[k]
}

// apiChange summarizes an API comparison with the previous release.
type apiChange struct {
	Incompatible []string // breaking changes
	Compatible   []string // additions
}

// kindOf is the bump from prev to next (both valid, next > prev).
func kindOf(prev, next string) bumpKind {
	switch {
	case semver.Major(prev) != semver.Major(next):
		return bumpMajor
	case semver.MajorMinor(prev) != semver.MajorMinor(next):
		return bumpMinor
	}
	return bumpPatch
}

// requiredBump is the least bump the API change needs after prev:
//
//   - v0.x.y: a breaking change needs a minor bump (v0.2.0); anything
//     else, additions included, may be a patch.
//   - v1 and later: a breaking change needs a major bump (and a /vN module
//     path); an addition needs a minor bump; a patch changes no API.
func requiredBump(prev string, c apiChange) bumpKind {
	v0 := semver.Major(prev) == "v0"
	switch {
	case len(c.Incompatible) > 0 && v0:
		return bumpMinor
	case len(c.Incompatible) > 0:
		return bumpMajor
	case len(c.Compatible) > 0 && !v0:
		return bumpMinor
	}
	return bumpPatch
}

// checkVersion refuses next as the release after prev (prev "" for a first
// release) of the module at modPath when it is not a plain semantic
// version above prev, when the API change needs a larger bump, or when a
// major version from v2 on does not match the module path's /vN suffix.
func checkVersion(modPath, prev, next string, c apiChange) error {
	if !semver.IsValid(next) || semver.Canonical(next) != next || semver.Prerelease(next) != "" {
		return fmt.Errorf("%s is not a release version (want vMAJOR.MINOR.PATCH)", next)
	}
	if err := checkMajorPath(modPath, next); err != nil {
		return err
	}
	if prev == "" {
		return nil
	}
	if semver.Compare(next, prev) <= 0 {
		return fmt.Errorf("%s is not above the previous release %s", next, prev)
	}
	need, got := requiredBump(prev, c), kindOf(prev, next)
	if got < need {
		return fmt.Errorf("%s after %s is a %s bump, but the API change needs a %s bump:\n\t%s",
			next, prev, got, need, strings.Join(c.Incompatible, "\n\t"))
	}
	return nil
}

// checkMajorPath: from v2 on, Go's import compatibility rule puts the major
// version in the module path (github.com/normkit/norm/sqlb/v2).
func checkMajorPath(modPath, version string) error {
	major, _ := strconv.Atoi(strings.TrimPrefix(semver.Major(version), "v"))
	suffix := ""
	if i := strings.LastIndex(modPath, "/v"); i >= 0 {
		if n, err := strconv.Atoi(modPath[i+2:]); err == nil && n >= 2 {
			suffix = modPath[i:]
		}
	}
	want := ""
	if major >= 2 {
		want = fmt.Sprintf("/v%d", major)
	}
	if suffix != want {
		if want == "" {
			return fmt.Errorf("%s cannot be released at %s: the path names major version %s", modPath, version, suffix[1:])
		}
		return fmt.Errorf("%s at %s needs the module path %s%s (a new major version is a new module path)",
			modPath, version, strings.TrimSuffix(modPath, suffix), want)
	}
	return nil
}
