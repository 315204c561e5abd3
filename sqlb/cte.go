package sqlb

// cte is one WITH item.
type cte struct {
	name      string   // quoted
	cols      []string // quoted
	q         Sqlizer
	recursive bool
}

func newCTE(op, name string, query any, cols []string, recursive bool) (cte, error) {
	if err := checkIdent(name); err != nil {
		return cte{}, wrapOp(op, err)
	}
	q, ok := subquery(query)
	if !ok {
		return cte{}, subqueryError(op, query)
	}
	c := cte{name: quoteIdent(name), q: q, recursive: recursive}
	for _, col := range cols {
		if err := checkIdent(col); err != nil {
			return cte{}, wrapOp(op, err)
		}
		c.cols = append(c.cols, quoteIdent(col))
	}
	return c, nil
}

func appendWith(w *writer, ctes []cte) error {
	if len(ctes) == 0 {
		return nil
	}
	w.str("WITH ")
	for _, c := range ctes {
		if c.recursive {
			w.str("RECURSIVE ")
			break
		}
	}
	for i, c := range ctes {
		if i > 0 {
			w.str(", ")
		}
		w.str(c.name)
		if len(c.cols) > 0 {
			w.buf = append(w.buf, " ("...)
			for j, col := range c.cols {
				if j > 0 {
					w.str(", ")
				}
				w.str(col)
			}
			w.buf = append(w.buf, ')')
		}
		w.str(" AS (")
		if err := w.expr(c.q); err != nil {
			return err
		}
		w.buf = append(w.buf, ')')
	}
	w.buf = append(w.buf, ' ')
	return nil
}
