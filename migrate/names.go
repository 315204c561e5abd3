package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"
)

// maxNameLen is NAMEDATALEN-1: PostgreSQL silently cuts longer names to
// this many bytes, so two long names sharing their first 63 bytes would
// collide.
const maxNameLen = 63

// nameHashLen is how many hex digits of the full name's hash a shortened
// name ends with.
const nameHashLen = 8

// objectName returns the name migrate gives a constraint or an index.
// A name that fits in 63 bytes is returned unchanged. A longer one is cut
// (at a character boundary) and ends in "_" and the first 8 hex digits of
// the SHA-256 of the full name, so it fits, stays the same on every run
// (the catalog diff finds it again) and differs from the name of another
// long name sharing the same prefix.
func objectName(full string) string {
	if len(full) <= maxNameLen {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	suffix := "_" + hex.EncodeToString(sum[:])[:nameHashLen]
	return cutAtRune(full, maxNameLen-len(suffix)) + suffix
}

// cutAtRune returns the longest prefix of s of at most n bytes that does
// not split a UTF-8 sequence.
func cutAtRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
