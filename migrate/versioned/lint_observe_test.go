package versioned

import (
	"strings"
	"testing"
)

// snap builds a snapshot of table users (oid 10, two columns) with the
// changes applied by edit.
func snap(edit func(s *snapshot)) *snapshot {
	s := &snapshot{
		rels: map[uint32]relation{10: {name: "users", kind: "r", filenode: 100}, 11: {name: "orders", kind: "r", filenode: 110}},
		cols: map[colKey]column{
			{10, 1}: {name: "id", typ: "bigint", notNull: true},
			{10, 2}: {name: "age", typ: "integer"},
		},
		cons:  map[uint32]constraint{},
		locks: map[lockKey]bool{},
		scans: map[uint32]int64{},
	}
	if edit != nil {
		edit(s)
	}
	return s
}

func TestLintObserve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after func(s *snapshot)
		want  []string // code table
	}{
		{"nothing", nil, nil},
		{"rewrite by a type change", func(s *snapshot) {
			s.rels[10] = relation{name: "users", kind: "r", filenode: 101}
			s.cols[colKey{10, 2}] = column{name: "age", typ: "bigint"}
			s.locks[lockKey{10, "AccessExclusiveLock"}] = true
		}, []string{"table-rewrite users"}},
		{"binary-coercible type change", func(s *snapshot) {
			s.cols[colKey{10, 2}] = column{name: "age", typ: "numeric"}
		}, []string{"type-change users"}},
		{"rename and drop", func(s *snapshot) {
			s.rels[10] = relation{name: "people", kind: "r", filenode: 100}
			s.cols[colKey{10, 2}] = column{name: "........pg.dropped.2........", dropped: true}
		}, []string{"rename users", "drop-column people"}},
		{"SET NOT NULL with a scan", func(s *snapshot) {
			s.cols[colKey{10, 2}] = column{name: "age", typ: "integer", notNull: true}
			s.scans[10] = 1
		}, []string{"set-not-null-scan users"}},
		{"SET NOT NULL proved by a check: no scan", func(s *snapshot) {
			s.cols[colKey{10, 2}] = column{name: "age", typ: "integer", notNull: true}
		}, nil},
		{"plain index", func(s *snapshot) {
			s.rels[20] = relation{name: "users_age_idx", kind: "i", table: 10}
			s.locks[lockKey{10, "ShareLock"}] = true
		}, []string{"blocking-index users"}},
		{"concurrent index", func(s *snapshot) {
			s.rels[20] = relation{name: "users_age_idx", kind: "i", table: 10}
			s.locks[lockKey{10, "ShareUpdateExclusiveLock"}] = true
		}, nil},
		{"unique constraint", func(s *snapshot) {
			s.rels[20] = relation{name: "users_age_key", kind: "i", table: 10}
			s.locks[lockKey{10, "ShareLock"}] = true
			s.locks[lockKey{10, "AccessExclusiveLock"}] = true
		}, []string{"blocking-unique users"}},
		{"check without NOT VALID", func(s *snapshot) {
			s.cons[30] = constraint{rel: 10, name: "users_age_check", kind: "c", validated: true}
		}, []string{"validating-constraint users"}},
		{"check NOT VALID", func(s *snapshot) {
			s.cons[30] = constraint{rel: 10, name: "users_age_check", kind: "c"}
		}, nil},
		{"drop table", func(s *snapshot) {
			delete(s.rels, 10)
		}, []string{"drop-table users"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := snap(nil)
			fr := &fileRun{start: start, populated: map[uint32]bool{10: true, 11: true}, exclusive: map[uint32]int{}}
			fr.observe(statement{Line: 1, Code: "ALTER …"}, start, snap(tc.after), false)
			var got []string
			for _, f := range fr.findings {
				got = append(got, f.Code+" "+f.Table)
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLintObserveHeldLock: ACCESS EXCLUSIVE taken by statement 1 and
// held while statement 2 locks another table is reported; a second
// statement on the same table is not.
func TestLintObserveHeldLock(t *testing.T) {
	t.Parallel()
	start := snap(nil)
	fr := &fileRun{start: start, populated: map[uint32]bool{10: true, 11: true}, exclusive: map[uint32]int{}}
	s1 := snap(func(s *snapshot) { s.locks[lockKey{10, "AccessExclusiveLock"}] = true })
	fr.observe(statement{Line: 1, Code: "ALTER TABLE users …"}, start, s1, false)
	s2 := snap(func(s *snapshot) {
		s.locks[lockKey{10, "AccessExclusiveLock"}] = true
		s.locks[lockKey{10, "ShareLock"}] = true
		s.rels[20] = relation{name: "users_age_idx", kind: "i", table: 10}
	})
	fr.observe(statement{Line: 2, Code: "CREATE INDEX … ON users"}, s1, s2, false)
	if len(fr.findings) != 1 || fr.findings[0].Code != "blocking-index" {
		t.Fatalf("after a second statement on users: %+v, want only blocking-index", fr.findings)
	}
	s3 := snap(func(s *snapshot) {
		for k := range s2.locks {
			s.locks[k] = true
		}
		s.rels[20] = s2.rels[20]
		s.locks[lockKey{11, "AccessExclusiveLock"}] = true
	})
	fr.observe(statement{Line: 3, Code: "ALTER TABLE orders …"}, s2, s3, false)
	last := fr.findings[len(fr.findings)-1]
	if last.Code != "exclusive-lock-held" || last.Table != "users" || !strings.Contains(last.Observed, "taken at line 1") || !strings.Contains(last.Observed, "locks orders") {
		t.Errorf("last finding %+v, want exclusive-lock-held on users naming line 1 and orders", last)
	}
	if got := fr.stmts[0].Locks; len(got) != 1 || got[0] != (LintLock{Table: "users", Mode: "ACCESS EXCLUSIVE"}) {
		t.Errorf("statement 1 locks %+v", got)
	}
}
