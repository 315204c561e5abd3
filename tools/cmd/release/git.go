package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"golang.org/x/mod/semver"
)

// git runs git in root and returns its trimmed standard output.
func git(root string, args ...string) (string, error) {
	cmd := exec.CommandContext(context.Background(), "git", args...)
	cmd.Dir = root
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// latestTag is the highest release version tagged prefix+vX.Y.Z, "" if none.
func latestTag(root, prefix string) (string, error) {
	out, err := git(root, "tag", "--list", prefix+"v*")
	if err != nil {
		return "", err
	}
	return highest(prefix, strings.Fields(out)), nil
}

// highest returns the highest release version among tags prefix+vX.Y.Z
// (pre-releases and other names ignored).
func highest(prefix string, tags []string) string {
	best := ""
	for _, t := range tags {
		v, ok := strings.CutPrefix(t, prefix)
		if !ok || !semver.IsValid(v) || semver.Prerelease(v) != "" || strings.Contains(v, "/") {
			continue
		}
		if best == "" || semver.Compare(v, best) > 0 {
			best = v
		}
	}
	return best
}

// extract writes the tree of commit-ish rev into dir.
func extract(root, rev, dir string) error {
	archive := exec.CommandContext(context.Background(), "git", "archive", "--format=tar", rev)
	archive.Dir = root
	untar := exec.CommandContext(context.Background(), "tar", "-x", "-C", dir)
	pipe, err := archive.StdoutPipe()
	if err != nil {
		return err
	}
	untar.Stdin = pipe
	untar.Stderr = os.Stderr
	if err := untar.Start(); err != nil {
		return err
	}
	if err := archive.Run(); err != nil {
		return fmt.Errorf("git archive %s: %w", rev, err)
	}
	return untar.Wait()
}
