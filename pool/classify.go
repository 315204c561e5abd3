package pool

import (
	"sync"
	"sync/atomic"
)

// class is what a cheap scan of SQL text learns about a statement: whether
// it is plainly a read (safe for a replica and for a retry after connection
// loss) and whether it changes session state (see hygiene.go).
type class uint8

const (
	classRead class = 1 << iota // every statement in the text is plainly a read
	// The session kinds below are mutually exclusive; the first found wins.
	classSessionSet
	classSessionRole
	classSessionConfig
	classSessionLock
	classSessionListen
	classSessionTemp
	classSessionPrepare

	classSessionMask = classSessionSet | classSessionRole | classSessionConfig | classSessionLock |
		classSessionListen | classSessionTemp | classSessionPrepare
)

func (c class) read() bool    { return c&classRead != 0 }
func (c class) session() bool { return c&classSessionMask != 0 }

// Limits of the per-DB classification cache: statements longer than
// maxCachedSQL are scanned each time, and once maxCachedStatements distinct
// texts are cached new ones are scanned each time (no eviction churn).
const (
	maxCachedSQL        = 4096
	maxCachedStatements = 2048
)

// classifier caches class per statement text. Reads are one atomic load and
// a map lookup (no lock, no allocation); a miss scans the text and publishes
// a copied map under a mutex, which happens once per distinct statement.
type classifier struct {
	m  atomic.Pointer[map[string]class]
	mu sync.Mutex
}

func (c *classifier) classify(sql string) class {
	if m := c.m.Load(); m != nil {
		if cl, ok := (*m)[sql]; ok {
			return cl
		}
	}
	cl := classifySQL(sql)
	if len(sql) <= maxCachedSQL {
		c.store(sql, cl)
	}
	return cl
}

func (c *classifier) store(sql string, cl class) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	n := 0
	if old != nil {
		n = len(*old)
	}
	if n >= maxCachedStatements {
		return
	}
	next := make(map[string]class, n+1)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[sql] = cl
	c.m.Store(&next)
}

// classifySQL scans SQL text statement by statement (split at top-level
// semicolons). The text is a read only when every statement plainly is:
// it starts with SELECT, WITH, VALUES, TABLE or SHOW and contains no
// INSERT/UPDATE/DELETE/MERGE (data-modifying CTE), no locking clause (FOR
// UPDATE/SHARE), no SELECT … INTO and no call of a function known to write
// or to depend on session state (nextval, setval, currval, advisory locks,
// set_config, pg_notify, txid_current, …). Anything unsure is not a read.
// String literals, quoted identifiers, dollar quotes and comments are
// skipped, so their contents never count as keywords.
func classifySQL(sql string) class {
	s := newScanner(sql)
	st := stmtScan{}
	out := classRead
	seen := false
	for {
		tok, ok := s.next()
		if !ok || tok.kind == tokSemicolon {
			if st.words > 0 {
				out = merge(out, st.result())
				seen = true
			}
			if !ok {
				break
			}
			st = stmtScan{}
			continue
		}
		st.feed(tok)
	}
	if !seen {
		return 0
	}
	return out
}

func merge(acc, next class) class {
	out := acc & next & classRead
	if sess := acc & classSessionMask; sess != 0 {
		return out | sess
	}
	return out | next&classSessionMask
}

// stmtScan accumulates what one statement's tokens say.
type stmtScan struct {
	words   int
	first   string
	prev    string // previous word (lowercase), "" after punctuation
	prev2   string
	read    bool
	notRead bool
	session class
	// set_config tracking: depth of its parentheses and its last argument.
	cfgDepth int
	cfgLast  string
	depth    int
}

func (st *stmtScan) feed(t token) {
	switch t.kind {
	case tokOpen:
		st.depth++
		st.push("(")
		return
	case tokClose:
		if st.cfgDepth > 0 && st.depth == st.cfgDepth {
			if st.cfgLast != "true" && st.session == 0 {
				st.session = classSessionConfig
			}
			st.cfgDepth = 0
		}
		st.depth--
		st.push(")")
		return
	case tokComma:
		if st.cfgDepth > 0 && st.depth == st.cfgDepth {
			st.cfgLast = ""
		}
		st.push(",")
		return
	case tokOther:
		if st.cfgDepth > 0 && st.depth == st.cfgDepth {
			st.cfgLast = "?"
		}
		st.push("")
		return
	}
	w := t.word
	if st.cfgDepth > 0 && st.depth == st.cfgDepth {
		if st.cfgLast == "" && t.kind == tokWord {
			st.cfgLast = w
		} else {
			st.cfgLast = "?"
		}
	}
	if t.kind == tokWord {
		st.word(w)
	}
	st.push(w)
}

func (st *stmtScan) push(w string) {
	st.prev2, st.prev = st.prev, w
}

func (st *stmtScan) word(w string) {
	st.words++
	if st.words == 1 {
		st.first = w
		switch w {
		case "select", "with", "values", "table", "show":
			st.read = true
		case "listen":
			st.sessionKind(classSessionListen)
		case "prepare":
			st.sessionKind(classSessionPrepare)
		}
		return
	}
	if st.words == 2 && st.first == "set" {
		switch w {
		case "local", "transaction", "constraints":
		case "role":
			st.sessionKind(classSessionRole)
		case "session":
			st.sessionKind(classSessionRole) // SESSION AUTHORIZATION / CHARACTERISTICS; refined below
		default:
			st.sessionKind(classSessionSet)
		}
	}
	if st.words == 3 && st.first == "set" && st.prev == "session" && w != "authorization" {
		st.session = classSessionSet
	}
	if st.first == "prepare" && st.words == 2 && w == "transaction" {
		st.session = 0
	}
	switch w {
	case "insert", "update", "delete", "merge", "into", "share":
		st.notRead = true
	case "temp", "temporary":
		createTemp := st.first == "create" && (st.words == 2 || st.words == 3 && (st.prev == "local" || st.prev == "global"))
		if createTemp || st.prev == "into" {
			st.sessionKind(classSessionTemp)
		}
	case "set_config":
		st.notRead = true
		st.cfgDepth = st.depth + 1
		st.cfgLast = ""
	case "pg_advisory_lock", "pg_advisory_lock_shared", "pg_try_advisory_lock", "pg_try_advisory_lock_shared":
		st.notRead = true
		st.sessionKind(classSessionLock)
	default:
		if writesOrSessionBound(w) {
			st.notRead = true
		}
	}
}

func (st *stmtScan) sessionKind(k class) {
	if st.session == 0 {
		st.session = k
	}
}

func (st *stmtScan) result() class {
	var c class
	if st.read && !st.notRead {
		c = classRead
	}
	return c | st.session
}

// writesOrSessionBound reports functions that write, take locks, or read
// session state a replica (or another pooled connection) does not share.
func writesOrSessionBound(w string) bool {
	switch w {
	case "nextval", "setval", "currval", "lastval",
		"pg_advisory_xact_lock", "pg_advisory_xact_lock_shared",
		"pg_try_advisory_xact_lock", "pg_try_advisory_xact_lock_shared",
		"pg_advisory_unlock", "pg_advisory_unlock_shared", "pg_advisory_unlock_all",
		"pg_notify", "txid_current", "pg_current_xact_id",
		"pg_current_wal_lsn", "pg_current_wal_insert_lsn", "pg_current_wal_flush_lsn",
		"lo_create", "lo_creat", "lo_import", "lo_unlink", "lo_from_bytea", "lo_put",
		"pg_cancel_backend", "pg_terminate_backend", "pg_reload_conf", "dblink_exec":
		return true
	}
	return false
}
