// Package changelog reads and edits CHANGELOG.md files in the Keep a
// Changelog format (https://keepachangelog.com/en/1.1.0/): an
// "## [Unreleased]" section on top, then one "## [X.Y.Z] - YYYY-MM-DD"
// section per release, newest first.
package changelog

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/mod/semver"
)

var heading = regexp.MustCompile(`^## \[([^\]]+)\]`)

// Latest returns the newest released version named by a "## [X.Y.Z]"
// heading (without the leading v), or "" when there is none yet.
func Latest(text string) (string, error) {
	for _, line := range strings.Split(text, "\n") {
		m := heading.FindStringSubmatch(line)
		if m == nil || strings.EqualFold(m[1], "unreleased") {
			continue
		}
		if !isVersion(m[1]) {
			return "", fmt.Errorf("changelog: heading %q does not name a semantic version", line)
		}
		return m[1], nil
	}
	return "", nil
}

// Release turns the Unreleased section into the section of version (no
// leading v) dated date, and leaves an empty Unreleased section above it.
// When Unreleased holds nothing, fallback (Markdown, one or more "###"
// groups) becomes the entry instead; when both are empty the release is
// refused, since every release says what changed. A version already in the
// file is refused too.
func Release(text, version, date, fallback string) (string, error) {
	if !isVersion(version) {
		return "", fmt.Errorf("changelog: %q is not a semantic version", version)
	}
	lines := strings.Split(text, "\n")
	start, end := -1, len(lines)
	for i, line := range lines {
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if m[1] == version {
			return "", fmt.Errorf("changelog: %s is already released", version)
		}
		if strings.EqualFold(m[1], "unreleased") {
			start = i
			continue
		}
		if start >= 0 && end == len(lines) {
			end = i
		}
	}
	if start < 0 {
		return "", errors.New(`changelog: no "## [Unreleased]" section`)
	}
	body := strings.TrimSpace(strings.Join(lines[start+1:end], "\n"))
	if body == "" {
		body = strings.TrimSpace(fallback)
	}
	if body == "" {
		return "", errors.New("changelog: the Unreleased section is empty: say what changed")
	}
	var b strings.Builder
	b.WriteString(strings.Join(lines[:start+1], "\n"))
	fmt.Fprintf(&b, "\n\n## [%s] - %s\n\n%s\n", version, date, body)
	if end < len(lines) {
		b.WriteString("\n")
		b.WriteString(strings.Join(lines[end:], "\n"))
	}
	out := b.String()
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out, nil
}

// isVersion reports whether v is a full semantic version without the
// leading v: "1.2.3" or "1.2.3-rc.1", not "1.2".
func isVersion(v string) bool {
	return semver.IsValid("v"+v) && semver.Canonical("v"+v) == "v"+v
}
