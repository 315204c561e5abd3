package sqlb

import "time"

// Date-range scopes. Ranges are half-open, [from, to): a row exactly at the
// upper bound belongs to the next range, so consecutive ranges never
// overlap or leave gaps. Bounds travel as time.Time parameters (absolute
// instants), so they compare correctly with timestamptz columns whatever the
// session's TimeZone; calendar boundaries (midnight) are computed in the
// location you pass, which makes days that span a DST change 23 or 25 hours
// long, as they should be. For timestamp without time zone columns, pass
// times whose wall clock is what you mean (see the guide).

// CreatedBetween limits rows to from <= col < to. The name is historical:
// col can be any timestamp column.
func CreatedBetween(col string, from, to time.Time) Scope {
	return func(b SelectBuilder) SelectBuilder {
		return b.Where(Ge(col, from), Lt(col, to))
	}
}

// OnDate limits rows to the calendar day of date in loc: from that day's
// midnight in loc (inclusive) to the next day's midnight (exclusive). A nil
// loc is an error.
func OnDate(col string, date time.Time, loc *time.Location) Scope {
	return func(b SelectBuilder) SelectBuilder {
		if loc == nil {
			return b.fail(errorf("OnDate("+quoteForMsg(col)+")", ErrInvalidValue, "nil location"))
		}
		d := date.In(loc)
		start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		end := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc)
		return b.Where(Ge(col, start), Lt(col, end))
	}
}

// LastN limits rows to the last d before now: now-d <= col < now, with now
// read from the clock when the scope is applied. Pass a fixed time with
// LastNAt for reproducible queries.
func LastN(col string, d time.Duration) Scope {
	return func(b SelectBuilder) SelectBuilder {
		return LastNAt(col, d, time.Now())(b)
	}
}

// LastNAt is LastN measured back from now.
func LastNAt(col string, d time.Duration, now time.Time) Scope {
	return func(b SelectBuilder) SelectBuilder {
		if d < 0 {
			return b.fail(errorf("LastN("+quoteForMsg(col)+")", ErrInvalidValue, "negative duration"))
		}
		return b.Where(Ge(col, now.Add(-d)), Lt(col, now))
	}
}
