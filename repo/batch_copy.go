package repo

import (
	"context"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/sqlb"
)

// copyThreshold is the batch size from which CreateBatch loads its rows
// with COPY into a temporary table and inserts them from there, when the
// transaction it runs in can COPY. Below it the round trips of that path
// (create, copy, insert, drop) cost more than they save: measured on one
// connection against the multi-row INSERT, COPY took 1.15–1.25× as long
// at 1,000 rows and 0.48–0.76× at 10,000 and 100,000 (docs/guides/repo.md,
// Performance).
const copyThreshold = 5000

// loadTable is the temporary table a COPY batch goes through. One name
// serves every call: the table lives only inside the batch's own
// transaction (a savepoint in the caller's), dropped at its end or rolled
// back with it, and temporary tables are private to their session, so two
// batches never see each other's.
const loadTable = "norm_batch_load"

// copyInsert inserts items through COPY: the rows go, with their position
// and their default group, into a temporary table shaped like the target's
// written columns (dropped at the end, and at commit in any case), then one
// INSERT … SELECT … ORDER BY position RETURNING ret per group of rows that
// leave the same defaulted fields to the database (Field.LeftToDefault;
// those columns are left out of that group's INSERT, so the column
// defaults apply as with Create). Returned rows are matched to the group's
// items in order, as with a VALUES insert. q must be a transaction; ok is
// false when the role may not create
// temporary tables (REVOKE TEMPORARY, a common hardening: the failed
// CREATE would abort the transaction, so the privilege is asked first),
// and nothing was written.
func (r *Repository[T]) copyInsert(ctx context.Context, q Querier, op string, items []T, ret []*sqlb.Field,
	short func(n, total int) error) (ok bool, err error) {
	fields := r.mt.insertFields()
	if len(fields) == 0 || len(fields) > 64 {
		return false, nil
	}
	var canTemp bool
	if err := q.QueryRow(ctx, "SELECT has_database_privilege(current_database(), 'TEMPORARY')").Scan(&canTemp); err != nil {
		return true, wrapErr(op+": load table", r.table(), err)
	}
	if !canTemp {
		return false, nil
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = f.Quoted()
	}
	list := strings.Join(cols, ", ")
	if _, err := q.Exec(ctx, `CREATE TEMP TABLE "`+loadTable+`" ON COMMIT DROP AS SELECT `+list+
		`, 0::int AS norm_ord, 0::int AS norm_grp FROM `+r.mt.table+` WITH NO DATA`); err != nil {
		return true, wrapErr(op+": load table", r.table(), err)
	}

	// Group the rows by the fields they leave to their default.
	var (
		masks  []uint64
		groups [][]int // item indexes of each group, in item order
	)
	grp := make([]int32, len(items))
	seen := map[uint64]int{}
	for i := range items {
		rv := reflect.ValueOf(&items[i]).Elem()
		var m uint64
		for j, f := range fields {
			if f.LeftToDefault(rv) {
				m |= 1 << j
			}
		}
		g, found := seen[m]
		if !found {
			g = len(masks)
			seen[m] = g
			masks = append(masks, m)
			groups = append(groups, nil)
		}
		grp[i] = int32(g)
		groups[g] = append(groups[g], i)
	}

	copyCols := make([]string, 0, len(fields)+2)
	for _, f := range fields {
		copyCols = append(copyCols, f.Column)
	}
	copyCols = append(copyCols, "norm_ord", "norm_grp")
	src := &loadSource[T]{copySource: copySource[T]{items: items, fields: fields, i: -1}, grp: grp}
	if _, err := q.CopyFrom(ctx, pgx.Identifier{loadTable}, copyCols, src); err != nil {
		return true, wrapErr(op, r.table(), err)
	}

	retCols := make([]string, len(ret))
	for i, f := range ret {
		retCols[i] = f.Quoted()
	}
	returning := strings.Join(retCols, ", ")
	dest := make([]any, 0, len(ret))
	for g, m := range masks {
		var written []string
		for j, c := range cols {
			if m&(1<<j) == 0 {
				written = append(written, c)
			}
		}
		var sql string
		if len(written) == 0 {
			// Every written column left to its default: one DEFAULT VALUES row each.
			sql = `INSERT INTO ` + r.mt.table + ` SELECT FROM "` + loadTable + `" WHERE norm_grp = $1 ORDER BY norm_ord RETURNING ` + returning
		} else {
			w := strings.Join(written, ", ")
			sql = `INSERT INTO ` + r.mt.table + ` (` + w + `) SELECT ` + w + ` FROM "` + loadTable + `" WHERE norm_grp = $1 ORDER BY norm_ord RETURNING ` + returning
		}
		if err := r.scanGroup(ctx, q, op, sql, int32(g), items, groups[g], ret, dest, short); err != nil {
			return true, err
		}
	}
	if _, err := q.Exec(ctx, `DROP TABLE "`+loadTable+`"`); err != nil {
		return true, wrapErr(op+": load table", r.table(), err)
	}
	return true, nil
}

// scanGroup runs one group's INSERT … SELECT and scans the returned rows
// into the group's items, in order.
func (r *Repository[T]) scanGroup(ctx context.Context, q Querier, op, sql string, g int32, items []T, idx []int,
	ret []*sqlb.Field, dest []any, short func(n, total int) error) error {
	res, err := q.Query(ctx, sql, g)
	if err != nil {
		return wrapErr(op, r.table(), err)
	}
	defer res.Close()
	n := 0
	for res.Next() {
		if n >= len(idx) {
			return errorf(op, r.table(), ErrInvalid, "more rows returned than inserted")
		}
		dest = destFields(ret, reflect.ValueOf(&items[idx[n]]).Elem(), dest)
		if err := res.Scan(dest...); err != nil {
			return wrapErr(op, r.table(), err)
		}
		n++
	}
	if err := res.Err(); err != nil {
		return wrapErr(op, r.table(), err)
	}
	if n < len(idx) {
		return short(len(idx)-n, len(idx))
	}
	return nil
}

// loadSource feeds items to COPY with their position and default group; a
// field left to its default is sent as NULL (its group's INSERT does not
// read it). It walks items as copySource does.
type loadSource[T any] struct {
	copySource[T]
	grp []int32
}

func (s *loadSource[T]) Values() ([]any, error) {
	if s.vals == nil {
		s.vals = make([]any, len(s.fields)+2)
	}
	rv := reflect.ValueOf(&s.items[s.i]).Elem()
	for j, f := range s.fields {
		if f.LeftToDefault(rv) {
			s.vals[j] = nil
			continue
		}
		s.vals[j] = f.Value(rv)
	}
	s.vals[len(s.fields)] = int32(s.i)
	s.vals[len(s.fields)+1] = s.grp[s.i]
	return s.vals, nil
}
