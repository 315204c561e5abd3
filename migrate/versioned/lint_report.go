package versioned

import (
	"fmt"
	"strings"

	"github.com/normkit/norm/migrate"
)

// LintReport is what Migrator.Lint observed, file by file.
type LintReport struct {
	Files []LintFile `json:"files"`
}

// LintFile is the lint result of one pending migration.
type LintFile struct {
	Version       int64  `json:"version"`
	File          string `json:"file"`
	NoTransaction bool   `json:"no_transaction,omitempty"`
	// Findings lists what the file did that carries a hazard, in
	// statement order.
	Findings []LintFinding `json:"findings"`
	// Unseeded names the tables that could not be given rows before the
	// file ran, each with why: findings that need a populated table
	// (scans) cannot show for them.
	Unseeded []string `json:"unseeded,omitempty"`
	// Statements lists what each statement of the file did, in order
	// (those that ran: a statement that failed is only a finding).
	Statements []LintStatement `json:"statements,omitempty"`
	// Skipped says why the file was not linted ("" when it was): a Go
	// migration, or an earlier file failed.
	Skipped string `json:"skipped,omitempty"`
}

// LintStatement is what one statement did on the scratch database.
type LintStatement struct {
	Line      int    `json:"line"`
	Statement string `json:"statement"`
	// Locks are the table locks the statement took (pg_locks of the lint
	// backend, new since the statement before), table then mode.
	Locks []LintLock `json:"locks"`
	// Bare is set for a statement of a no-transaction file that
	// PostgreSQL refused to run in a transaction block (CREATE INDEX
	// CONCURRENTLY …): it ran bare, and its locks were not observed.
	Bare bool `json:"bare,omitempty"`
}

// LintLock is one table lock a statement took.
type LintLock struct {
	Table string `json:"table"`
	// Mode is the lock mode as the PostgreSQL docs name it, "ACCESS
	// EXCLUSIVE", "SHARE", ….
	Mode string `json:"mode"`
}

// LintFinding is one hazard a statement showed on the scratch database.
type LintFinding struct {
	// Line is the line of the statement in the file.
	Line int `json:"line"`
	// Statement is the start of the statement's text (one line).
	Statement string `json:"statement"`
	// Table is the table concerned, as regclass text.
	Table string `json:"table,omitempty"`
	// Code, Severity and Safe come from the planner's hazard catalog
	// (migrate.HazardCatalog).
	Code     string           `json:"code"`
	Severity migrate.Severity `json:"severity"`
	Safe     string           `json:"safe"`
	// Observed says what the server did: the locks, the rewrite, the scan.
	Observed string `json:"observed"`
	// Allowed is set when a "-- norm:allow CODE REASON" comment accepts
	// the finding; AllowReason is its reason.
	Allowed     bool   `json:"allowed,omitempty"`
	AllowReason string `json:"allow_reason,omitempty"`
}

// Unsafe reports whether a finding of severity unsafe or destructive is
// not accepted by an allow comment (`migrate lint --check` then fails).
func (r *LintReport) Unsafe() bool {
	for _, f := range r.Files {
		if f.Unsafe() {
			return true
		}
	}
	return false
}

// Unsafe reports whether the file has an unsafe or destructive finding
// that no allow comment accepts.
func (f LintFile) Unsafe() bool {
	for _, x := range f.Findings {
		if !x.Allowed && x.Severity >= migrate.Unsafe {
			return true
		}
	}
	return false
}

// Text renders the report for a terminal or a code review: per file, one
// line per finding ("line N: severity code table: observed"), then the
// safe alternative.
func (r *LintReport) Text() string {
	var b strings.Builder
	for _, f := range r.Files {
		switch {
		case f.Skipped != "":
			fmt.Fprintf(&b, "%s: not linted: %s\n", f.File, f.Skipped)
			continue
		case len(f.Findings) == 0:
			fmt.Fprintf(&b, "%s: ok\n", f.File)
		default:
			fmt.Fprintf(&b, "%s:\n", f.File)
		}
		for _, x := range f.Findings {
			sev := x.Severity.String()
			if x.Allowed {
				sev = "allowed " + sev
			}
			on := ""
			if x.Table != "" {
				on = " " + x.Table
			}
			fmt.Fprintf(&b, "  line %d: %s %s%s: %s\n", x.Line, sev, x.Code, on, x.Observed)
			if x.Allowed {
				fmt.Fprintf(&b, "    allowed: %s\n", x.AllowReason)
			} else if x.Severity >= migrate.Warning {
				fmt.Fprintf(&b, "    safe: %s\n", x.Safe)
			}
		}
		for _, u := range f.Unseeded {
			fmt.Fprintf(&b, "  not seeded: %s\n", u)
		}
	}
	return b.String()
}
