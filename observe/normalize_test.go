package observe

import (
	"strings"
	"testing"

	"github.com/normkit/norm/internal/sqllex"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"params kept", "SELECT * FROM users WHERE id = $1 AND org = $12", "SELECT * FROM users WHERE id = $1 AND org = $12"},
		{"string", "SELECT 'secret'", "SELECT ?"},
		{"carriage return ends a line comment", "SELECT 1 -- note\r, 'secret'", "SELECT ? , ?"},
		{"doubled quote", "SELECT 'it''s secret' , 1", "SELECT ? , ?"},
		{"escape string", `SELECT E'a\'b secret'`, "SELECT ?"},
		{"lower escape string", `SELECT e'\\' || 'x'`, "SELECT ? || ?"},
		{"bit and hex strings", "SELECT B'0101', X'ff', N'nat'", "SELECT ?, ?, ?"},
		{"unicode string", "SELECT U&'d\\0061t'", "SELECT ?"},
		{"unicode ident kept", `SELECT U&"d\0061t"`, `SELECT U&"d\0061t"`},
		{"dollar quoted", "SELECT $$secret 'x'$$", "SELECT ?"},
		{"tagged dollar quoted", "SELECT $fn$ a $$ b $fn$ FROM t", "SELECT ? FROM t"},
		{"integers and decimals", "LIMIT 10 OFFSET 20.5", "LIMIT ? OFFSET ?"},
		{"exponent", "SELECT 1.5e-10, .5, 6E3", "SELECT ?, ?, ?"},
		{"hex and underscore numbers", "SELECT 0x1F, 1_000_000, 0b101, 0o17", "SELECT ?, ?, ?, ?"},
		{"negative number", "WHERE a = -42", "WHERE a = -?"},
		{"identifier digits kept", "SELECT col1, t2.x FROM t2", "SELECT col1, t2.x FROM t2"},
		{"quoted identifier kept", `SELECT "Weird 'name'" FROM "t"`, `SELECT "Weird 'name'" FROM "t"`},
		{"line comment dropped", "SELECT 1 -- password=hunter2\nFROM t", "SELECT ? FROM t"},
		{"block comment dropped", "SELECT /* user a@b */ x", "SELECT x"},
		{"nested block comment", "SELECT /* a /* b */ secret */ x", "SELECT x"},
		{"whitespace collapsed", "  SELECT\n\t x  \r\n FROM   t  ", "SELECT x FROM t"},
		{"unterminated string swallows tail", "SELECT 'secret FROM t", "SELECT ?"},
		{"unterminated dollar swallows tail", "SELECT $q$ secret", "SELECT ?"},
		{"unterminated comment swallows tail", "SELECT x /* secret", "SELECT x"},
		{"cast kept", "SELECT '{1,2}'::int[]", "SELECT ?::int[]"},
		{"lone dollar", "SELECT $ FROM t", "SELECT $ FROM t"},
		{"empty", "", ""},
		{"identifier with dollar", "SELECT a$b FROM t", "SELECT a$b FROM t"},
		// With standard_conforming_strings off, a backslash in a plain
		// string escapes the next byte; Normalize cannot know the setting,
		// so it masks every byte either reading puts in a literal.
		{"backslash quote, off reading", `SELECT 'O\'Reilly, secret' FROM t`, "SELECT ?"},
		{"backslash quote, on reading", `SELECT 'a\', 'secret', x FROM t`, "SELECT ?"},
		{"N string backslash", `SELECT N'a\', secret, 'b' FROM t`, "SELECT ?"},
		{"backslash with one extent", `SELECT 'C:\dir' AS p, x FROM t`, "SELECT ? AS p, x FROM t"},
		{"E string unchanged", `SELECT E'a\'b', x FROM t`, "SELECT ?, x FROM t"},
		{"unicode string never escapes", `SELECT U&'a\', x FROM t`, "SELECT ?, x FROM t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestOperation(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"SELECT 1", OpSelect},
		{"  select 1", OpSelect},
		{"/* c */ INSERT INTO t VALUES ($1)", OpInsert},
		{"update t set a = 1", OpUpdate},
		{"DELETE FROM t", OpDelete},
		{"WITH x AS (SELECT 1) DELETE FROM t USING x", OpDelete},
		{"WITH RECURSIVE x(n) AS (SELECT 1 UNION SELECT n+1 FROM x) SELECT * FROM x", OpSelect},
		{"INSERT INTO t SELECT * FROM u", OpInsert},
		{"CREATE TABLE t (a int)", OpOther},
		{"BEGIN", OpOther},
		{"", OpOther},
		{"WITH", OpOther},
		{"'select'", OpOther},
	}
	for _, tt := range tests {
		if got := Operation(tt.in); got != tt.want {
			t.Errorf("Operation(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewStatementFingerprint(t *testing.T) {
	t.Parallel()
	a := NewStatement("SELECT * FROM t WHERE a = 'x' AND b = 1")
	b := NewStatement("select  * FROM t WHERE a = 'yy' AND b = 22")
	c := NewStatement("SELECT * FROM t WHERE a = 'x' AND b = 1")
	if a.Fingerprint != c.Fingerprint {
		t.Errorf("same statement, different fingerprints %s %s", a.Fingerprint, c.Fingerprint)
	}
	if a.Fingerprint == b.Fingerprint {
		t.Errorf("keyword case differs, fingerprints should too (normalisation keeps case): %s", a.Fingerprint)
	}
	d := NewStatement("SELECT * FROM t WHERE a = 'other' AND b = 99")
	if a.Fingerprint != d.Fingerprint {
		t.Errorf("literals differ only: fingerprints %s and %s should match", a.Fingerprint, d.Fingerprint)
	}
	if len(a.Fingerprint) != 16 || a.Op != OpSelect || a.SQL != "SELECT * FROM t WHERE a = ? AND b = ?" {
		t.Errorf("statement = %+v", a)
	}
}

func TestTracerStatementCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		size   int
		cached bool
	}{{0, true}, {1, true}, {-1, false}}
	for _, tt := range tests {
		tr := New(Config{StatementCacheSize: tt.size})
		a, b := tr.statement("SELECT 'x'"), tr.statement("SELECT 'x'")
		if a.SQL != "SELECT ?" || (a == b) != tt.cached {
			t.Errorf("size %d: %+v, reused %v; want cached %v", tt.size, a, a == b, tt.cached)
		}
	}
	tr := New(Config{StatementCacheSize: 1})
	tr.statement("SELECT 1")
	if a, b := tr.statement("SELECT 2"), tr.statement("SELECT 2"); a == b {
		t.Error("a statement beyond the cache size was cached")
	}
	if tr.ForEndpoint("replica").(*Tracer).statement("SELECT 1") != tr.statement("SELECT 1") {
		t.Error("ForEndpoint's copy does not share the cache")
	}
}

// FuzzNormalize checks that a literal or comment never shows through,
// whatever it contains: the output for a template must not depend on the
// secret placed in it.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"secret", "it's", `back\slash`, "$$", "*/", "--", "\n", "42", "", "é", "$tag$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		for _, tmpl := range literalTemplates {
			want := Normalize(tmpl.wrap("x"))
			if got := Normalize(tmpl.wrap(secret)); got != want {
				t.Fatalf("%s: Normalize(%q) = %q, want %q", tmpl.name, tmpl.wrap(secret), got, want)
			}
		}
	})
}

// FuzzLexer checks that tokens cover arbitrary input exactly, in order.
func FuzzLexer(f *testing.F) {
	for _, s := range []string{"SELECT 'a' FROM t", "$1$$x$$", "/* /* */", "E'\\", "U&'", "0x", "1e+", `"a""b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		lx := sqllex.New(sql)
		end := 0
		for {
			tok, ok := lx.Next()
			if !ok {
				break
			}
			if tok.Start != end || tok.End <= tok.Start || tok.End > len(sql) {
				t.Fatalf("token %+v after offset %d in %q", tok, end, sql)
			}
			end = tok.End
		}
		if end != len(sql) {
			t.Fatalf("tokens end at %d, input is %d bytes: %q", end, len(sql), sql)
		}
		_ = Operation(sql)
		if st := NewStatement(sql); len(st.Fingerprint) != 16 {
			t.Fatalf("fingerprint %q of %q", st.Fingerprint, sql)
		}
		if out := Normalize(sql); len(out) > len(sql) {
			t.Fatalf("Normalize grew %q to %q", sql, out)
		}
	})
}

type literalTemplate struct {
	name string
	wrap func(secret string) string
}

var literalTemplates = []literalTemplate{
	// Backslashes are doubled too, so the literal ends at the same quote
	// whether standard_conforming_strings is on or off; with a lone
	// backslash Normalize masks the longer reading, so its output depends
	// on the secret (FuzzNormalizeConformingStrings covers that case).
	{"string", func(s string) string {
		s = strings.ReplaceAll(s, `\`, `\\`)
		return "SELECT * FROM t WHERE a = '" + strings.ReplaceAll(s, "'", "''") + "' AND b = $1"
	}},
	{"escape string", func(s string) string {
		s = strings.ReplaceAll(s, `\`, `\\`)
		return "SELECT E'" + strings.ReplaceAll(s, "'", `\'`) + "'"
	}},
	{"dollar", func(s string) string {
		tag := "$q" + strings.Repeat("q", strings.Count(s, "$")) + "$"
		for strings.Index(s+tag, tag) != len(s) {
			tag = tag[:len(tag)-1] + "q$"
		}
		return "SELECT " + tag + s + tag + " FROM t"
	}},
	{"line comment", func(s string) string {
		s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
		return "SELECT 1 -- " + s + "\nFROM t"
	}},
	{"block comment", func(s string) string {
		s = strings.NewReplacer("*/", " ", "/*", " ").Replace(s)
		for strings.HasSuffix(s, "/") || strings.HasSuffix(s, "*") || strings.HasPrefix(s, "*") || strings.HasPrefix(s, "/") {
			s = strings.Trim(s, "/*")
		}
		return "SELECT /* " + s + " */ x FROM t"
	}},
}

func TestCollapseLists(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"WHERE id IN (?, ?, ?)", "WHERE id IN (?)"},
		{"WHERE id IN ($1,$2, $3)", "WHERE id IN ($1)"},
		{"VALUES (?, ?), (?, ?), (?, ?)", "VALUES (?)"},
		{"VALUES ($1, $2), ($3, $4)", "VALUES ($1)"},
		{"SELECT a, b FROM t WHERE x = ?", "SELECT a, b FROM t WHERE x = ?"},
		{"f(?, b)", "f(?, b)"},
		{"?", "?"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := collapseLists(tt.in); got != tt.want {
			t.Errorf("collapseLists(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	a := NewStatement("SELECT * FROM t WHERE id IN (1, 2, 3)")
	b := NewStatement("SELECT * FROM t WHERE id IN (4, 5)")
	if a.Fingerprint != b.Fingerprint || a.SQL == b.SQL {
		t.Errorf("IN lists of different lengths: %+v %+v, want one fingerprint and the full SQL kept", a, b)
	}
}

// FuzzNormalizeConformingStrings builds statements whose literals are
// written for one setting of standard_conforming_strings (picked by the
// first byte) and hold the marker S, which appears nowhere else. The
// server may read them either way, so whichever way they were written,
// no S may survive.
func FuzzNormalizeConformingStrings(f *testing.F) {
	for _, s := range []string{"\x00\x02\x03\x11\x01", "\x01\x02\x03\x11\x01\x00", "\x01\x06\x05\x02\x04\x12\x0a", "\x00\x06\x04\x02\x05\x02\x03\x01"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		sql := conformingProgram(prog)
		if out := Normalize(sql); strings.Contains(out, "S") {
			t.Fatalf("Normalize(%q) = %q keeps literal content", sql, out)
		}
	})
}

// conformingProgram turns prog into a statement: code pieces (none holds
// an S) and literals with S in their contents, written for
// standard_conforming_strings off when prog[0] is odd, on otherwise.
func conformingProgram(prog []byte) string {
	if len(prog) == 0 {
		return ""
	}
	off := prog[0]&1 == 1
	code := []string{"x", ",", " ", "(", ")", " from t ", "||", "/* ' \\ */", "-- ' \\\n", "$1", `"q'\"`, "::text", ";", "\\", "e", "="}
	var b strings.Builder
	b.WriteString("select ")
	for i := 1; i < len(prog); i++ {
		op := prog[i]
		if op%4 < 2 {
			b.WriteString(code[int(op/4)%len(code)])
			continue
		}
		var content []byte
		if i+1 < len(prog) {
			i++
			content = prog[i+1 : min(i+1+int(prog[i]%8), len(prog))]
			i += len(content)
		}
		b.WriteByte(' ')
		b.WriteString(conformingLiteral(op, off, content))
	}
	return b.String()
}

// conformingLiteral writes one literal holding S, of a kind chosen by
// op: plain, N'..', E'..', U&'..' or dollar-quoted; content picks its
// bytes.
func conformingLiteral(op byte, off bool, content []byte) string {
	const alphabet = "S\\' ,;-/*$x"
	var body strings.Builder
	body.WriteByte('S')
	kind := int(op/4) % 5
	escapes := kind == 2 || (off && kind < 2) // backslash escapes in this reading
	for _, c := range content {
		ch := alphabet[int(c)%len(alphabet)]
		switch {
		case kind == 4 && ch == '$':
			body.WriteByte('x')
		case kind == 4:
			body.WriteByte(ch)
		case ch == '\'' && escapes && c&0x80 != 0:
			body.WriteString(`\'`)
		case ch == '\'':
			body.WriteString("''")
		case ch == '\\' && escapes && c&0x80 != 0:
			body.WriteString(`\S`)
		case ch == '\\' && escapes:
			body.WriteString(`\\`)
		default:
			body.WriteByte(ch)
		}
	}
	switch kind {
	case 1:
		return "N'" + body.String() + "'"
	case 2:
		return "E'" + body.String() + "'"
	case 3:
		return "U&'" + body.String() + "'"
	case 4:
		return "$q$" + body.String() + "$q$"
	}
	return "'" + body.String() + "'"
}

// TestNormalizeBackslashFirst: a text whose first byte is a backslash is
// read both ways too, so a later string ending in a backslash cannot
// unmask what follows it.
func TestNormalizeBackslashFirst(t *testing.T) {
	t.Parallel()
	in := `\ SELECT 'a\', secret, 'b' FROM t`
	if got, want := Normalize(in), `\ SELECT ?`; got != want {
		t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
	}
}

// TestNormalizeDropsLeadingBlanks: whitespace and comments before the
// first token leave no space in front, whatever their length, in both
// readings of a text (one with a backslash is read both ways).
func TestNormalizeDropsLeadingBlanks(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"  SELECT 1", "\n-- why\nSELECT 1", "/* a */ SELECT 1",
		`  SELECT 'a\b'`, "\n-- why\nSELECT E'\\n'"} {
		if got := Normalize(in); got != "SELECT ?" {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, "SELECT ?")
		}
	}
}
