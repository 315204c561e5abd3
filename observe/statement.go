package observe

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Operation kinds used as bounded metric labels and log fields.
const (
	OpSelect  = "select"
	OpInsert  = "insert"
	OpUpdate  = "update"
	OpDelete  = "delete"
	OpOther   = "other"
	OpBatch   = "batch"
	OpCopy    = "copy"
	OpPrepare = "prepare"
	OpConnect = "connect"
	OpAcquire = "acquire"
	OpRelease = "release"
)

// Statement is the loggable form of one SQL text: its normalised text, its
// operation kind and a fingerprint of the normalised text.
type Statement struct {
	// SQL is the statement as returned by Normalize: no literals, no comments.
	SQL string
	// Op is OpSelect, OpInsert, OpUpdate, OpDelete or OpOther.
	Op string
	// Fingerprint is 16 hex digits of the FNV-1a hash of SQL with lists of
	// placeholders collapsed: statements that differ only in literals, or in
	// the length of an IN (...) or multi-row VALUES list, share a
	// fingerprint, so it is a bounded label.
	Fingerprint string
}

// NewStatement normalises sql and derives its operation and fingerprint.
func NewStatement(sql string) Statement {
	norm := Normalize(sql)
	h := fnv.New64a()
	_, _ = h.Write([]byte(collapseLists(norm)))
	return Statement{
		SQL:         norm,
		Op:          Operation(sql),
		Fingerprint: fingerprint(h.Sum64()),
	}
}

// collapseLists rewrites runs of placeholders separated by commas ("?, ?",
// "$1, $2") to their first one, and then runs of parenthesised rows
// ("(?), (?)") to the first row, in normalised SQL.
func collapseLists(norm string) string {
	return collapseRuns(collapseRuns(norm, placeholderAt), rowAt)
}

// collapseRuns replaces each run of two or more items, found by at and
// separated by commas and optional spaces, with the first item.
func collapseRuns(s string, at func(s string, i int) int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		n := at(s, i)
		if n == 0 {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
		for {
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if j >= len(s) || s[j] != ',' {
				break
			}
			j++
			for j < len(s) && s[j] == ' ' {
				j++
			}
			m := at(s, j)
			if m == 0 {
				break
			}
			i = j + m
		}
	}
	return b.String()
}

// placeholderAt returns the length of the "?" or "$n" at s[i], or 0.
func placeholderAt(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	if s[i] == '?' {
		return 1
	}
	if s[i] == '$' && i+1 < len(s) && isDigit(s[i+1]) {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return j - i
	}
	return 0
}

// rowAt returns the length of a "(…)" group holding only one placeholder
// at s[i], or 0.
func rowAt(s string, i int) int {
	if i >= len(s) || s[i] != '(' {
		return 0
	}
	n := placeholderAt(s, i+1)
	if n == 0 || i+1+n >= len(s) || s[i+1+n] != ')' {
		return 0
	}
	return n + 2
}

func fingerprint(sum uint64) string {
	s := strconv.FormatUint(sum, 16)
	for len(s) < 16 {
		s = "0" + s
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
