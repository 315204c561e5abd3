// Golden files for generated SQL.
//
// The statement and arguments of every table-driven case that builds SQL
// successfully live in testdata/golden/<group>/<case>.golden, where <group>
// is the table (select, insert, keyset, ...) and <case> the case name
// lower-cased with each run of characters outside [a-z0-9_-] replaced by
// one "_". Cases that assert an error stay inline in the Go tables.
//
// After an intended change to the generated SQL, regenerate the files with
//
//	go test -update ./...
//
// (from sqlb/; add -run to limit it to some tests) and review the diff of
// testdata/golden like any other change. -update also removes files whose
// case no longer exists or now expects an error.

package sqlb

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenDir is the directory of one table's golden files.
func goldenDir(group string) string {
	return filepath.Join("testdata", "golden", group)
}

// goldenName turns a case name into a file name: lower case, every run of
// characters outside [a-z0-9_-] becomes one "_".
func goldenName(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
			under = false
			continue
		}
		if !under {
			b.WriteByte('_')
			under = true
		}
	}
	return b.String() + ".golden"
}

// formatGolden renders a statement and its arguments as a golden file: the
// SQL verbatim, then one line per argument in Go syntax, numbered like the
// placeholder it binds.
func formatGolden(sql string, args []any) string {
	var b strings.Builder
	b.WriteString("-- sql --\n")
	b.WriteString(sql)
	b.WriteString("\n-- args --\n")
	if len(args) == 0 {
		b.WriteString("(none)\n")
	}
	for i, a := range args {
		fmt.Fprintf(&b, "$%d = %s\n", i+1, formatArg(reflect.ValueOf(a)))
	}
	return b.String()
}

var goldenTimeType = reflect.TypeOf(time.Time{})

// formatArg writes a value in Go syntax that keeps its type (int64(10), not
// 10) and does not depend on the machine: pointers print as &value instead
// of an address, times as time.Unix(sec, nsec) in their location instead of
// a wall clock in the local time zone.
func formatArg(v reflect.Value) string {
	if !v.IsValid() {
		return "nil"
	}
	if v.Type() == goldenTimeType {
		t := v.Interface().(time.Time)
		s := fmt.Sprintf("time.Unix(%d, %d)", t.Unix(), t.Nanosecond())
		switch loc := t.Location(); loc {
		case time.Local:
			return s
		case time.UTC:
			return s + ".UTC()"
		default:
			return fmt.Sprintf("%s.In(%q)", s, loc.String())
		}
	}
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return "nil"
		}
		return formatArg(v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			return fmt.Sprintf("(%s)(nil)", v.Type())
		}
		return "&" + formatArg(v.Elem())
	case reflect.Slice, reflect.Array:
		if k := v.Type().Elem().Kind(); k != reflect.Interface && k != reflect.Pointer && v.Type().Elem() != goldenTimeType {
			return fmt.Sprintf("%#v", v.Interface()) // []int64{1, 2}: the type covers the elements
		}
		if v.Kind() == reflect.Slice && v.IsNil() {
			return fmt.Sprintf("%s(nil)", v.Type())
		}
		elems := make([]string, v.Len())
		for i := range elems {
			elems[i] = formatArg(v.Index(i))
		}
		return fmt.Sprintf("%s{%s}", v.Type(), strings.Join(elems, ", "))
	case reflect.Int, reflect.String, reflect.Bool:
		if v.Type().PkgPath() == "" { // the default type of an untyped constant
			return fmt.Sprintf("%#v", v.Interface())
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
	default:
		return fmt.Sprintf("%#v", v.Interface())
	}
	return fmt.Sprintf("%s(%#v)", v.Type(), v.Interface())
}

// checkGolden compares got with the golden file at path, or rewrites the
// file under -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test -update to create it)", t.Name(), err)
	}
	if got != string(want) {
		t.Errorf("%s: output differs from %s (- want, + got; go test -update rewrites the file):\n%s",
			t.Name(), path, lineDiff(string(want), got))
	}
}

// checkGoldenDir reports golden files in dir that belong to no case in
// files, and removes them under -update.
func checkGoldenDir(t *testing.T, dir string, files map[string]bool) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		if *update && os.IsNotExist(err) {
			return
		}
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".golden") || files[e.Name()] {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if *update {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s: %s belongs to no case (removed, or it now expects an error; go test -update deletes it)", t.Name(), path)
	}
}

// lineDiff is a small line diff (longest common subsequence) of two golden
// files: " " marks a line in both, "-" only in want, "+" only in got.
func lineDiff(want, got string) string {
	a := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	b := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			fmt.Fprintf(&out, "  %s\n", a[i])
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "- %s\n", a[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", b[j])
			j++
		}
	}
	if strings.HasSuffix(want, "\n") != strings.HasSuffix(got, "\n") {
		fmt.Fprintf(&out, "(want ends in newline: %v, got: %v)\n", strings.HasSuffix(want, "\n"), strings.HasSuffix(got, "\n"))
	}
	return out.String()
}
