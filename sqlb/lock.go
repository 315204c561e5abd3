package sqlb

// lockClause is FOR UPDATE / FOR SHARE … [OF …] [NOWAIT | SKIP LOCKED].
type lockClause struct {
	strength string
	of       []string // quoted
	wait     string
	err      error
}

// LockOption modifies a row-locking clause (ForUpdate, ForShare, …).
type LockOption func(*lockClause)

// NoWait makes a locking clause fail at once instead of waiting (NOWAIT).
func NoWait(l *lockClause) { l.wait = " NOWAIT" }

// SkipLocked makes a locking clause skip rows locked by others (SKIP
// LOCKED), the usual way to build a job queue.
func SkipLocked(l *lockClause) { l.wait = " SKIP LOCKED" }

// Of restricts a locking clause to the given tables or aliases (OF t, …).
func Of(tables ...string) LockOption {
	return func(l *lockClause) {
		for _, t := range tables {
			q, err := quoteQualified(t, false)
			if err != nil && l.err == nil {
				l.err = wrapOp("Of("+quoteForMsg(t)+")", err)
			}
			l.of = append(l.of, q)
		}
	}
}

func newLock(strength string, opts []LockOption) lockClause {
	l := lockClause{strength: strength}
	for _, o := range opts {
		if o != nil {
			o(&l)
		}
	}
	return l
}

func (l lockClause) appendSQL(w *writer) {
	w.str(" FOR ")
	w.str(l.strength)
	if len(l.of) > 0 {
		w.str(" OF ")
		w.list(l.of)
	}
	w.str(l.wait)
}
