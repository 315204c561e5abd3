package versioned

import (
	"fmt"
	"sort"
	"strings"

	"github.com/normkit/norm/migrate"
)

// fileRun carries what lint knows while one file runs: the tables that
// existed before it, which of them held rows, and the ACCESS EXCLUSIVE
// locks taken so far in the open transaction (table → line).
type fileRun struct {
	start     *snapshot
	populated map[uint32]bool
	exclusive map[uint32]int
	findings  []LintFinding
	stmts     []LintStatement
}

// existing reports whether rel is a table that existed before the file.
func (fr *fileRun) existing(rel uint32) bool {
	r, ok := fr.start.rels[rel]
	return ok && r.kind != "i" && r.kind != "I"
}

func (fr *fileRun) add(st statement, table, code, observed string) {
	def, ok := migrate.LookupHazard(code)
	if !ok { // every code used here is in the catalog (TestHazardCatalogHasPlannerCodes)
		def = migrate.HazardDef{Code: code, Severity: migrate.Unsafe}
	}
	fr.findings = append(fr.findings, LintFinding{Line: st.Line, Statement: firstLine(st.Code), Table: table,
		Code: def.Code, Severity: def.Severity, Safe: def.Safe, Observed: observed})
}

// observe compares the snapshots before (b) and after (a) statement st
// and records its findings. bare says it ran outside any transaction, so
// its locks and scans are not known.
func (fr *fileRun) observe(st statement, b, a *snapshot, bare bool) {
	taken := map[uint32][]string{}
	for k := range a.locks {
		if !b.locks[k] {
			taken[k.rel] = append(taken[k.rel], k.mode)
		}
	}
	for _, rel := range sortedRels(fr.start.rels) {
		if !fr.existing(rel) {
			continue
		}
		before, inB := b.rels[rel]
		if !inB {
			continue
		}
		after, inA := a.rels[rel]
		if !inA {
			fr.add(st, before.name, "drop-table", fmt.Sprintf("dropped table %s (it had rows: %t)", before.name, fr.populated[rel]))
			continue
		}
		if before.name != after.name {
			fr.add(st, before.name, "rename", fmt.Sprintf("renamed table %s to %s", before.name, after.name))
		}
		fr.columns(st, rel, after.name, b, a, before.filenode != after.filenode && before.filenode != 0)
		fr.constraints(st, rel, after.name, b, a, taken[rel])
		fr.indexes(st, rel, after.name, b, a, taken[rel], bare)
		if !bare && a.scans[rel] > b.scans[rel] && fr.populated[rel] {
			fr.scanUnderLock(st, rel, after.name, b, a)
		}
	}
	fr.heldLocks(st, b, taken)
	fr.record(st, a, taken, bare)
	for rel, modes := range taken {
		for _, m := range modes {
			if m == "AccessExclusiveLock" && fr.existing(rel) {
				if _, ok := fr.exclusive[rel]; !ok {
					fr.exclusive[rel] = st.Line
				}
			}
		}
	}
}

// record keeps the locks the statement took, strongest first per table.
func (fr *fileRun) record(st statement, a *snapshot, taken map[uint32][]string, bare bool) {
	ls := LintStatement{Line: st.Line, Statement: firstLine(st.Code), Locks: []LintLock{}, Bare: bare}
	for rel, modes := range taken {
		name := a.rels[rel].name
		if name == "" {
			name = fr.start.rels[rel].name
		}
		for _, m := range modes {
			ls.Locks = append(ls.Locks, LintLock{Table: name, Mode: lockNames[m]})
		}
	}
	sort.Slice(ls.Locks, func(i, j int) bool {
		x, y := ls.Locks[i], ls.Locks[j]
		return x.Table < y.Table || x.Table == y.Table && lockRank[x.Mode] > lockRank[y.Mode]
	})
	fr.stmts = append(fr.stmts, ls)
}

// lockRank orders lock modes from weakest to strongest.
var lockRank = map[string]int{"ACCESS SHARE": 1, "ROW SHARE": 2, "ROW EXCLUSIVE": 3, "SHARE UPDATE EXCLUSIVE": 4,
	"SHARE": 5, "SHARE ROW EXCLUSIVE": 6, "EXCLUSIVE": 7, "ACCESS EXCLUSIVE": 8}

// columns finds rewrites, dropped and renamed columns, type changes and
// NOT NULL set with a scan.
func (fr *fileRun) columns(st statement, rel uint32, table string, b, a *snapshot, rewritten bool) {
	var added, retyped []string
	for _, k := range sortedCols(a.cols, rel) {
		ac := a.cols[k]
		bc, ok := b.cols[k]
		switch {
		case !ok && !ac.dropped:
			added = append(added, ac.name)
		case !ok:
		case ac.dropped && !bc.dropped:
			fr.add(st, table, "drop-column", fmt.Sprintf("dropped column %s of %s", bc.name, table))
		case ac.dropped:
		default:
			if ac.name != bc.name {
				fr.add(st, table, "rename", fmt.Sprintf("renamed column %s of %s to %s", bc.name, table, ac.name))
			}
			if ac.typ != bc.typ {
				retyped = append(retyped, fmt.Sprintf("%s %s → %s", ac.name, bc.typ, ac.typ))
				if !rewritten {
					fr.add(st, table, "type-change", fmt.Sprintf("changed column %s %s → %s without rewriting %s", ac.name, bc.typ, ac.typ, table))
				}
			}
			if ac.notNull && !bc.notNull && fr.populated[rel] && a.scans[rel] > b.scans[rel] {
				fr.add(st, table, "set-not-null-scan", fmt.Sprintf("SET NOT NULL on %s.%s scanned the table (seq_scan +%d) under ACCESS EXCLUSIVE", table, ac.name, a.scans[rel]-b.scans[rel]))
			}
		}
	}
	if !rewritten {
		return
	}
	why := "the table's relfilenode changed"
	switch {
	case len(added) > 0:
		why = "adding column " + strings.Join(added, ", ") + " wrote a value into every row (a volatile default, identity or stored generated column is evaluated per row); its relfilenode changed"
	case len(retyped) > 0:
		why = "changing the type of " + strings.Join(retyped, ", ") + " rewrote the table and its indexes; its relfilenode changed"
	}
	fr.add(st, table, "table-rewrite", fmt.Sprintf("rewrote %s under ACCESS EXCLUSIVE: %s", table, why))
}

// constraints finds CHECK and FOREIGN KEY constraints validated with a
// scan while writes are blocked.
func (fr *fileRun) constraints(st statement, rel uint32, table string, b, a *snapshot, taken []string) {
	for _, oid := range sortedCons(a.cons, rel) {
		ac := a.cons[oid]
		if !ac.validated || (ac.kind != "c" && ac.kind != "f") || !fr.populated[rel] {
			continue
		}
		bc, ok := b.cons[oid]
		switch {
		case !ok:
			how := "ACCESS EXCLUSIVE"
			if ac.kind == "f" {
				how = "SHARE ROW EXCLUSIVE on both tables"
			}
			fr.add(st, table, "validating-constraint", fmt.Sprintf("added constraint %s without NOT VALID: every row of %s was checked under %s", ac.name, table, how))
		case !bc.validated:
			if mode := heldBlocking(b, rel); mode != "" {
				fr.add(st, table, "validating-constraint", fmt.Sprintf("VALIDATE CONSTRAINT %s scanned %s while this transaction already held %s on it (taken by an earlier statement of the file)", ac.name, table, lockNames[mode]))
			}
		}
	}
}

// indexes finds indexes built or dropped on an existing table without
// CONCURRENTLY, told apart by the lock the statement took on the table.
func (fr *fileRun) indexes(st statement, rel uint32, table string, b, a *snapshot, taken []string, bare bool) {
	has := func(mode string) bool {
		for _, m := range taken {
			if m == mode {
				return true
			}
		}
		return false
	}
	for _, oid := range sortedRels(a.rels) {
		ix := a.rels[oid]
		if ix.table != rel {
			continue
		}
		if _, ok := b.rels[oid]; ok || bare {
			continue // bare: it ran outside a transaction, so CONCURRENTLY
		}
		switch {
		case has("AccessExclusiveLock"):
			fr.add(st, table, "blocking-unique", fmt.Sprintf("built index %s inside ALTER TABLE: ACCESS EXCLUSIVE on %s (reads and writes blocked) for the whole build", ix.name, table))
		case has("ShareLock"):
			fr.add(st, table, "blocking-index", fmt.Sprintf("built index %s without CONCURRENTLY: SHARE lock on %s (writes blocked) for the whole build", ix.name, table))
		}
	}
	if bare || droppedWith(rel, b, a) {
		return // an index dropped with its column or constraint is not a DROP INDEX
	}
	for _, oid := range sortedRels(b.rels) {
		ix := b.rels[oid]
		if _, ok := a.rels[oid]; ix.table != rel || ok {
			continue
		}
		if has("AccessExclusiveLock") {
			fr.add(st, table, "blocking-drop-index", fmt.Sprintf("dropped index %s without CONCURRENTLY: ACCESS EXCLUSIVE on %s", ix.name, table))
		}
	}
}

// droppedWith reports whether the statement dropped a column or a
// constraint of rel.
func droppedWith(rel uint32, b, a *snapshot) bool {
	for k, c := range b.cols {
		if ac, ok := a.cols[k]; k.rel == rel && !c.dropped && (!ok || ac.dropped) {
			return true
		}
	}
	for oid, c := range b.cons {
		if _, ok := a.cons[oid]; c.rel == rel && !ok {
			return true
		}
	}
	return false
}

// scanUnderLock records a scan of a populated table (one not explained
// by a finding of this statement already) made while an earlier
// statement's write-blocking lock is held.
func (fr *fileRun) scanUnderLock(st statement, rel uint32, table string, b, a *snapshot) {
	for _, f := range fr.findings {
		if f.Line == st.Line && f.Table == table {
			return
		}
	}
	_ = a
	if mode := heldBlocking(b, rel); mode != "" && fr.exclusive[rel] != 0 {
		fr.add(st, table, "exclusive-lock-held", fmt.Sprintf("scanned %s while holding %s on it since line %d", table, lockNames[mode], fr.exclusive[rel]))
	}
}

// heldLocks records an ACCESS EXCLUSIVE lock taken by an earlier
// statement and still held while this one locks another existing table.
func (fr *fileRun) heldLocks(st statement, b *snapshot, taken map[uint32][]string) {
	var others []string
	for rel := range taken {
		if fr.existing(rel) {
			if _, held := fr.exclusive[rel]; !held {
				others = append(others, b.rels[rel].name)
			}
		}
	}
	if len(others) == 0 {
		return
	}
	sort.Strings(others)
	for _, rel := range sortedLines(fr.exclusive) {
		if _, again := taken[rel]; again {
			continue
		}
		name := fr.start.rels[rel].name
		if r, ok := b.rels[rel]; ok {
			name = r.name
		}
		fr.add(st, name, "exclusive-lock-held", fmt.Sprintf("ACCESS EXCLUSIVE on %s (taken at line %d) is still held while this statement locks %s", name, fr.exclusive[rel], strings.Join(others, ", ")))
	}
}

// heldBlocking returns the strongest write-blocking lock the transaction
// held on rel before the statement, or "".
func heldBlocking(b *snapshot, rel uint32) string {
	for _, m := range []string{"AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock"} {
		if b.locks[lockKey{rel, m}] {
			return m
		}
	}
	return ""
}

func sortedRels(m map[uint32]relation) []uint32 {
	out := make([]uint32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		return m[out[i]].name < m[out[j]].name || m[out[i]].name == m[out[j]].name && out[i] < out[j]
	})
	return out
}

func sortedCols(m map[colKey]column, rel uint32) []colKey {
	var out []colKey
	for k := range m {
		if k.rel == rel {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].num < out[j].num })
	return out
}

func sortedCons(m map[uint32]constraint, rel uint32) []uint32 {
	var out []uint32
	for k, c := range m {
		if c.rel == rel {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]].name < m[out[j]].name })
	return out
}

func sortedLines(m map[uint32]int) []uint32 {
	out := make([]uint32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]] < m[out[j]] || m[out[i]] == m[out[j]] && out[i] < out[j] })
	return out
}

// firstLine shortens a statement to its first line, at most 100 bytes.
func firstLine(sql string) string {
	if i := strings.IndexByte(sql, '\n'); i >= 0 {
		sql = sql[:i] + " …"
	}
	if len(sql) > 100 {
		sql = sql[:100] + "…"
	}
	return strings.TrimSpace(sql)
}
