package versioned

import (
	"fmt"
	"strings"

	"github.com/normkit/norm/migrate"
)

// allowance is one "-- norm:allow CODE REASON" comment.
type allowance struct {
	code, reason string
}

// allowances reads the allow comments of a file: those before the first
// statement's code apply to the whole file (index -1), the others to the
// statement whose leading comments hold them. A comment without a reason
// or with a code the hazard catalog does not know is an error.
func allowances(sc *script) (map[int][]allowance, error) {
	out := map[int][]allowance{}
	if !strings.Contains(sc.Text, allowDirective) {
		return out, nil
	}
	src := sc.Text
	lx := relexer{lx: lexer{src: src}, stmts: sc.Statements}
	for {
		tk, ok, err := lx.scan()
		if err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrBadFile, sc.Path, err)
		}
		if !ok {
			break
		}
		if tk.kind != tokComment || !strings.HasPrefix(tk.text, "--") {
			continue
		}
		body := strings.TrimSpace(strings.TrimPrefix(tk.text, "--"))
		if !strings.HasPrefix(body, allowDirective+" ") && body != allowDirective {
			continue
		}
		line := lineAt(src, tk.start)
		fields := strings.Fields(strings.TrimPrefix(body, allowDirective))
		if len(fields) < 2 {
			return nil, fmt.Errorf("%w %s:%d: %q needs a hazard code and a reason: -- %s CODE REASON", ErrBadFile, sc.Path, line, body, allowDirective)
		}
		if _, ok := migrate.LookupHazard(fields[0]); !ok {
			return nil, fmt.Errorf("%w %s:%d: %q: unknown hazard code %q (see migrate.HazardCatalog)", ErrBadFile, sc.Path, line, body, fields[0])
		}
		a := allowance{code: fields[0], reason: strings.Join(fields[1:], " ")}
		idx := -1
		for i, st := range sc.Statements {
			codeStart := st.End - len(st.Code)
			if tk.start < st.End {
				if i > 0 || tk.start >= codeStart {
					idx = i
				}
				break
			}
		}
		out[idx] = append(out[idx], a)
	}
	return out, nil
}

// allowed returns the reason an allow comment gives for code at
// statement i, if any.
func allowedBy(allow map[int][]allowance, i int, code string) (string, bool) {
	for _, k := range []int{i, -1} {
		for _, a := range allow[k] {
			if a.code == code {
				return a.reason, true
			}
		}
	}
	return "", false
}
