package migrate

import (
	"regexp"
	"strconv"
	"strings"
)

func hazRename(what string) Hazard {
	return Hazard{Code: "rename", Severity: Warning,
		Reason: "renaming " + what + " breaks running code that still uses the old name; deploy code that reads both (or a view) first"}
}

// hazCachedPlan: applications that prepared statements touching the table
// get "cached plan must not change result type" (0A000) once its row type
// changes; pgx re-prepares on the next call, other clients may not.
func hazCachedPlan() Hazard {
	return Hazard{Code: "cached-plan", Severity: Info,
		Reason: "changes the table's row type: running applications' prepared SELECT * statements fail once with 0A000 (pgx and pool retry it)"}
}

var volatileCall = regexp.MustCompile(`(?i)\b(random|gen_random_uuid|uuid_generate_v[14]|clock_timestamp|timeofday|nextval|txid_current|statement_timestamp)\s*\(`)

// isVolatile reports whether a default expression calls a volatile
// function, which PostgreSQL must evaluate per row (a table rewrite when
// the column is added). now() and CURRENT_TIMESTAMP are stable: constant
// for the statement, so adding a column with them is instant (11+).
func isVolatile(expr string) bool { return volatileCall.MatchString(expr) }

type changeKind int

const (
	rewrite changeKind = iota
	binaryCoercible
	narrowing
)

var typeArgs = regexp.MustCompile(`\((\d+)(?:,(\d+))?\)`)

type parsedType struct {
	base        string
	p, s        int // -1 when absent
	arrays      string
	constrained bool
}

// parseType splits "timestamp(3) with time zone[]" into its base name,
// precision/scale and array suffix.
func parseType(t string) parsedType {
	pt := parsedType{p: -1, s: -1}
	for strings.HasSuffix(t, "[]") {
		pt.arrays += "[]"
		t = strings.TrimSuffix(t, "[]")
	}
	if m := typeArgs.FindStringSubmatchIndex(t); m != nil {
		pt.p, _ = strconv.Atoi(t[m[2]:m[3]])
		if m[4] >= 0 {
			pt.s, _ = strconv.Atoi(t[m[4]:m[5]])
		}
		pt.constrained = true
		t = t[:m[0]] + t[m[1]:]
	}
	pt.base = strings.TrimSpace(t)
	return pt
}

var intWidth = map[string]int{"smallint": 2, "integer": 4, "bigint": 8}
var textLike = map[string]bool{"text": true, "character varying": true, "citext": true}

// typeChange classifies a column type change under PostgreSQL 15 rules.
func typeChange(from, to string) changeKind {
	a, b := parseType(from), parseType(to)
	if a.arrays != b.arrays {
		return rewrite
	}
	switch {
	case textLike[a.base] && textLike[b.base]:
		return lengthChange(a, b, a.base == "citext" || b.base == "citext")
	case a.base == "numeric" && b.base == "numeric":
		return numericChange(a, b)
	case intWidth[a.base] > 0 && intWidth[b.base] > 0:
		if intWidth[b.base] < intWidth[a.base] {
			return narrowing
		}
		return rewrite
	case a.base == "double precision" && b.base == "real",
		intWidth[b.base] > 0 && (a.base == "numeric" || a.base == "real" || a.base == "double precision"),
		textLike[a.base] && !textLike[b.base],
		a.base == "timestamp with time zone" && b.base == "date":
		return narrowing
	case strings.HasPrefix(a.base, "timestamp") && a.base == b.base:
		if b.p == -1 || a.p != -1 && b.p >= a.p {
			return binaryCoercible
		}
		return narrowing
	}
	return rewrite
}

func lengthChange(a, b parsedType, citext bool) changeKind {
	switch {
	case citext && a.base != b.base:
		return rewrite
	case !b.constrained:
		return binaryCoercible // varchar(n) → varchar / text
	case !a.constrained || b.p < a.p:
		return narrowing // text → varchar(n), or a shorter limit
	}
	return binaryCoercible
}

func numericChange(a, b parsedType) changeKind {
	switch {
	case !b.constrained:
		return binaryCoercible
	case !a.constrained:
		return narrowing
	case b.s != a.s:
		if b.s < a.s || b.p-b.s < a.p-a.s {
			return narrowing
		}
		return rewrite
	case b.p < a.p:
		return narrowing
	}
	return binaryCoercible
}

// HazardDef is one entry of the hazard catalog: a code, the severity
// it carries, and the safe way to do the same change. The planner's steps
// and `migrate lint`'s findings (versioned.Migrator.Lint) both use these
// codes; docs/guides/migrate.md describes each.
type HazardDef struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Safe is the safe alternative, one line.
	Safe string `json:"safe"`
}

// hazardCatalog is the one list of hazard codes.
var hazardCatalog = []HazardDef{
	{"table-rewrite", Unsafe, "add the column without the volatile default (or a new column of the new type), backfill in batches, then switch over"},
	{"validating-constraint", Unsafe, "add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes only SHARE UPDATE EXCLUSIVE)"},
	{"set-not-null-scan", Unsafe, "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (no scan) and drop the check"},
	{"blocking-index", Unsafe, "CREATE INDEX CONCURRENTLY in a file of its own with -- norm:no-transaction"},
	{"blocking-unique", Unsafe, "CREATE UNIQUE INDEX CONCURRENTLY (no-transaction file), then ADD CONSTRAINT … UNIQUE/PRIMARY KEY USING INDEX"},
	{"not-null-no-default", Unsafe, "add the column nullable (or with a constant default), backfill, then set NOT NULL"},
	{"collation-change", Unsafe, "add a new column with the collation, backfill, and switch over"},
	{"pg14-concurrent-index-bug", Unsafe, "upgrade to PostgreSQL 14.4 or later before building indexes CONCURRENTLY"},
	{"statement-fails", Unsafe, "fix the statement: it fails on a database holding the schema before it and a few rows per table"},
	{"drop-table", Destructive, "stop using the table in the deployed code first, keep a backup, and accept the finding with -- norm:allow drop-table <reason>"},
	{"drop-column", Destructive, "deploy code that no longer reads or writes the column first, then drop it (accept with -- norm:allow drop-column <reason>)"},
	{"drop-constraint", Destructive, "make sure no code relies on the constraint, then drop it"},
	{"drop-index", Destructive, "check that no query needs the index, then DROP INDEX CONCURRENTLY in a no-transaction file"},
	{"narrowing-type", Destructive, "check every existing value fits, or add a new column and backfill"},
	{"blocking-drop-index", Warning, "DROP INDEX CONCURRENTLY in a file of its own with -- norm:no-transaction"},
	{"exclusive-lock-held", Warning, "put the statements that follow an ACCESS EXCLUSIVE lock on another table in their own migration, so the lock is released first"},
	{"rename", Warning, "deploy code that reads both names (or a view with the old name) first, rename, then remove the old name from the code"},
	{"identity-change", Warning, "set the identity's start above the existing ids (ALTER … RESTART WITH)"},
	{"type-change", Info, "none needed: the change is binary-coercible (no rewrite, a brief ACCESS EXCLUSIVE lock)"},
	{"cached-plan", Info, "none needed: pgx and pool re-prepare statements once the row type changes"},
	{"invalid-index", Info, "none needed: the invalid index is dropped and rebuilt"},
}

// HazardCatalog returns every hazard code with its severity and safe
// alternative, worst severity first.
func HazardCatalog() []HazardDef { return append([]HazardDef(nil), hazardCatalog...) }

// LookupHazard returns the catalog entry of code; ok is false for a
// code the catalog does not know.
func LookupHazard(code string) (def HazardDef, ok bool) {
	for _, h := range hazardCatalog {
		if h.Code == code {
			return h, true
		}
	}
	return HazardDef{}, false
}
