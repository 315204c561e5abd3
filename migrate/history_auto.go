package migrate

import (
	"context"
	"encoding/json"
	"fmt"
)

// historyRecord is the history row of one Apply: the steps that have run
// so far. It is inserted with the first step recorded and updated with
// each later one, so the row never lists a step that did not succeed.
type historyRecord struct {
	table string // AutoOptions.HistoryTable, already validated
	id    int64  // the row's id; 0 until the first step is recorded
	plan  Plan   // the steps that ran, in order
}

func newHistoryRecord(table string, planned *Plan) *historyRecord {
	return &historyRecord{table: table, plan: Plan{ServerVersion: planned.ServerVersion, Online: planned.Online}}
}

// transactionalSteps returns the plan's steps that run in the transaction.
func transactionalSteps(p *Plan) []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Transactional {
			out = append(out, s)
		}
	}
	return out
}

// add appends steps that have run to the record and writes it through q:
// the insert of the row, or the update of the row inserted before.
func (r *historyRecord) add(ctx context.Context, q Querier, steps ...Step) error {
	if len(steps) == 0 {
		return nil
	}
	next := r.plan
	next.Steps = append(append([]Step(nil), r.plan.Steps...), steps...)
	body, err := json.Marshal(&next)
	if err != nil {
		return fmt.Errorf("migrate: encode plan: %w", err)
	}
	hist, err := quoteQualified(r.table)
	if err != nil {
		return err
	}
	if r.id == 0 {
		err = q.QueryRow(ctx, "INSERT INTO "+hist+" (checksum, plan) VALUES ($1, $2) RETURNING id", next.Checksum(), body).Scan(&r.id)
	} else {
		_, err = q.Exec(ctx, "UPDATE "+hist+" SET checksum = $1, plan = $2 WHERE id = $3", next.Checksum(), body, r.id)
	}
	if err != nil {
		return fmt.Errorf("migrate: record %d step(s) in %s: %w", len(steps), r.table, err)
	}
	r.plan = next
	return nil
}
