package main

import (
	"go/ast"
	"go/parser"
	"go/token"
)

// stringConcats returns the positions (line, column) of the + operators
// of file that join strings, as far as the syntax shows: a chain of +
// with a string literal in it. gremlins' ARITHMETIC_BASE turns such a +
// into -, which does not compile; gremlins v0.6.0 counts a mutant whose
// go test fails to build as KILLED (go test exits 1 then, as for a
// failing test) and one it did not run as NOT COVERED, so mutate
// reclassifies these as not viable. A + of two string variables is not
// recognized: its mutant stays KILLED, which flatters the score of that
// line only.
func stringConcats(file string) (map[[2]int]bool, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	out := map[[2]int]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && b.Op == token.ADD && hasStringLit(b) {
			p := fset.Position(b.OpPos)
			out[[2]int{p.Line, p.Column}] = true
		}
		return true
	})
	return out, nil
}

// hasStringLit reports whether a chain of + holds a string literal.
func hasStringLit(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING
	case *ast.ParenExpr:
		return hasStringLit(x.X)
	case *ast.BinaryExpr:
		return x.Op == token.ADD && (hasStringLit(x.X) || hasStringLit(x.Y))
	}
	return false
}

// markUnviable reclassifies the ARITHMETIC_BASE mutants of string
// concatenations as NOT VIABLE; root is the repository root.
func markUnviable(ms []mutant, concat func(file string) (map[[2]int]bool, error)) error {
	cache := map[string]map[[2]int]bool{}
	for i, m := range ms {
		if m.Key.Mutator != "ARITHMETIC_BASE" || (m.Status != "KILLED" && m.Status != "NOT COVERED") {
			continue
		}
		pos, ok := cache[m.Key.File]
		if !ok {
			var err error
			if pos, err = concat(m.Key.File); err != nil {
				return err
			}
			cache[m.Key.File] = pos
		}
		if pos[[2]int{m.Key.Line, m.Key.Column}] {
			ms[i].Status = "NOT VIABLE"
		}
	}
	return nil
}
