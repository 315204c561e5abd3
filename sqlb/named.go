package sqlb

import (
	"reflect"
	"strconv"

	"github.com/normkit/norm/internal/sqllex"
)

// RawNamed returns a trusted SQL fragment with named parameters, :name or
// @name, bound from params: a map with string keys, or a struct (or pointer
// to one) whose fields are matched by column name as the model metadata
// maps them (db tags, else snake_case).
//
//   - `::type` casts are left alone, as are names inside literals, quoted
//     identifiers, dollar-quoted bodies and comments.
//   - A name used several times binds one parameter, referenced as the same
//     $n in the final statement.
//   - A name with no value is an error (ErrMissingParam); extra values are
//     ignored.
//   - A slice value binds as one array parameter: write = ANY(:ids), not
//     IN (:ids).
//   - A name right after an identifier character is not a parameter
//     (a:b, arr[1:n]), nor is `@name` right after < or @ (the <@ and @@
//     operators); a bare ? must be written ?? (a literal ?).
func RawNamed(sql string, params any) Expr {
	const op = "RawNamed"
	text, names, err := parseNamed(sql)
	if err != nil {
		return Expr{op: op, err: wrapOp(op+"("+quoteForMsg(sql)+")", err)}
	}
	args := make([]any, len(names))
	if len(names) == 0 {
		return Expr{sql: text, op: op}
	}
	lookup, err := namedLookup(params)
	if err != nil {
		return Expr{op: op, err: wrapOp(op+"("+quoteForMsg(sql)+")", err)}
	}
	count := map[string]int{}
	for _, n := range names {
		count[n]++
	}
	shared := map[string]*sharedArg{}
	for i, n := range names {
		v, ok := lookup(n)
		if !ok {
			return Expr{op: op, err: errorf(op+"("+quoteForMsg(sql)+")", ErrMissingParam, "no value for %s", quoteForMsg(n))}
		}
		if err := checkValue(v); err != nil {
			return Expr{op: op, err: wrapOp(op+"("+quoteForMsg(sql)+")", err)}
		}
		if count[n] > 1 {
			s := shared[n]
			if s == nil {
				s = &sharedArg{v: v}
				shared[n] = s
			}
			v = s
		}
		args[i] = v
	}
	return Expr{sql: text, args: args, op: op}
}

// NamedParams returns the parameter names of a named-parameter fragment in
// order of appearance (repeats included), and the fragment rewritten with
// ? placeholders.
func NamedParams(sql string) (names []string, rewritten string, err error) {
	rewritten, names, err = parseNamed(sql)
	if err != nil {
		return nil, "", wrapOp("NamedParams("+quoteForMsg(sql)+")", err)
	}
	return names, rewritten, nil
}

// parseNamed rewrites :name / @name to ? and lists the names in order. A
// name is a word (as internal/sqllex reads it) right after a : or @ that
// does not follow a word character or ] (a:b, arr[1:n]) and is not part of
// :: (a cast), @@ or <@ (operators).
func parseNamed(sql string) (string, []string, error) {
	var out []byte
	var names []string
	start := 0
	lx := sqllex.New(sql)
	for {
		tok, ok := lx.Find("?:@")
		if !ok {
			break
		}
		if tok.Unterminated {
			return "", nil, unterminated(sql, tok)
		}
		if tok.Kind == sqllex.Param {
			return "", nil, lexError("positional parameter in a named-parameter fragment")
		}
		if tok.Kind != sqllex.Punct {
			continue // a literal, quoted identifier or comment
		}
		// Find returns no other punctuation than ?, : and @.
		i := tok.Start
		if sql[i] == '?' {
			if tok.End < len(sql) && sql[tok.End] == '?' {
				lx.Next()
				continue
			}
			return "", nil, lexError("bare ? in a named-parameter fragment; write ?? for a literal ?")
		}
		if i > 0 && !mayStartParam(sql[i-1], sql[i]) {
			continue
		}
		// tok is a ':' or '@' that may start a name: the word after it.
		// A letter there starts a word or a prefixed literal (:e'x' is a
		// colon and an E'' string, as PostgreSQL reads it).
		if tok.End >= len(sql) || !sqllex.IsIdentStart(sql[tok.End]) {
			continue
		}
		name, _ := lx.Next()
		if name.Kind != sqllex.Word {
			if err := unterminated(sql, name); err != nil {
				return "", nil, err
			}
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(sql))
		}
		out = append(out, sql[start:i]...)
		out = append(out, '?')
		names = append(names, sql[name.Start:name.End])
		start = name.End
	}
	if out == nil {
		return sql, nil, nil
	}
	out = append(out, sql[start:]...)
	return string(out), names, nil
}

// mayStartParam reports whether c, a : or @ after the byte prev, may start
// a named parameter: not right after a word character (a:b, a@b), nor a :
// after ] (arr[1]:x), nor an @ after < or @ (the <@ and @@ operators; the
// first @ of @@ is followed by no name).
func mayStartParam(prev, c byte) bool {
	switch {
	case sqllex.IsIdentPart(prev):
		return false
	case c == ':':
		return prev != ']'
	}
	return prev != '<' && prev != '@'
}

func namedLookup(params any) (func(string) (any, bool), error) {
	switch p := params.(type) {
	case map[string]any:
		return func(n string) (any, bool) { v, ok := p[n]; return v, ok }, nil
	case nil:
		return func(string) (any, bool) { return nil, false }, nil
	}
	rv := reflect.ValueOf(params)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, errInvalid("nil pointer as parameters")
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, errInvalid("parameter map keys must be strings, got " + rv.Type().String())
		}
		return func(n string) (any, bool) {
			v := rv.MapIndex(reflect.ValueOf(n).Convert(rv.Type().Key()))
			if !v.IsValid() {
				return nil, false
			}
			return v.Interface(), true
		}, nil
	case reflect.Struct:
		m, err := modelOf(rv.Type())
		if err != nil {
			return nil, err
		}
		return func(n string) (any, bool) {
			f := m.Field(n)
			if f == nil {
				return nil, false
			}
			return f.Value(rv), true
		}, nil
	}
	return nil, errInvalid("parameters must be a map or a struct, got " + rv.Type().String() + " (" + strconv.Quote(rv.Kind().String()) + ")")
}
