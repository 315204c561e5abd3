package redact

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Secrets the corpus puts in server errors; no 4-byte piece of them may
// show in a redacted text.
var secrets = []string{"alice.banned@example.com", "Hunter2Secret", "SecretValue98", "4711-0815"}

func leaks(s string) []string {
	var found []string
	for _, v := range secrets {
		for i := 0; i+4 <= len(v); i++ {
			if strings.Contains(s, v[i:i+4]) {
				found = append(found, v[i:i+4])
			}
		}
	}
	return found
}

// Corpus is the set of server errors the redaction is checked against,
// as PostgreSQL 15 reports them (see the e2e tests, which raise each one).
var Corpus = []struct {
	Name string
	Err  *pgconn.PgError
	Want string
}{
	{"trigger RAISE EXCEPTION with values", &pgconn.PgError{
		Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "P0001",
		Message: "email alice.banned@example.com is blocked (password Hunter2Secret)",
		Where:   "PL/pgSQL function block_email() line 3 at RAISE",
	}, "ERROR: raise_exception (SQLSTATE P0001; message redacted)"},
	{"trigger raising unique_violation with the value", &pgconn.PgError{
		Severity: "ERROR", Code: "23505", Message: "alice.banned@example.com is taken",
		Hint: "pick another than alice.banned@example.com", ConstraintName: "users_email_key",
		Where: "PL/pgSQL function f() line 2 at RAISE",
	}, "ERROR: unique_violation (SQLSTATE 23505, constraint users_email_key; message redacted)"},
	{"syntax error near a quoted secret", &pgconn.PgError{
		Severity: "ERROR", Code: "42601", Message: `syntax error at or near "'Hunter2Secret'"`, Position: 30,
	}, "ERROR: syntax_error (SQLSTATE 42601; message redacted)"},
	{"invalid input syntax", &pgconn.PgError{
		Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type bigint: "SecretValue98"`,
		Where: "unnamed portal parameter $1 = '...'",
	}, "ERROR: invalid_text_representation (SQLSTATE 22P02; message redacted)"},
	{"check violation with the row in Detail", &pgconn.PgError{
		Severity: "ERROR", Code: "23514",
		Message:    `new row for relation "users" violates check constraint "users_email_check"`,
		Detail:     "Failing row contains (1, alice.banned@example.com, 4711-0815).",
		SchemaName: "public", TableName: "users", ConstraintName: "users_email_check",
	}, "ERROR: check_violation (SQLSTATE 23514, schema public, table users, constraint users_email_check; message redacted)"},
	{"unique violation Detail", &pgconn.PgError{
		Severity: "ERROR", Code: "23505",
		Message:    `duplicate key value violates unique constraint "users_email_key"`,
		Detail:     "Key (email)=(alice.banned@example.com) already exists.",
		SchemaName: "public", TableName: "users", ConstraintName: "users_email_key",
	}, "ERROR: unique_violation (SQLSTATE 23505, schema public, table users, constraint users_email_key; message redacted)"},
	{"not-null violation names the column", &pgconn.PgError{
		Severity: "ERROR", Code: "23502",
		Message:    `null value in column "email" of relation "users" violates not-null constraint`,
		Detail:     "Failing row contains (7, null, Hunter2Secret).",
		SchemaName: "public", TableName: "users", ColumnName: "email",
	}, "ERROR: not_null_violation (SQLSTATE 23502, schema public, table users, column email; message redacted)"},
	{"function error quoting an internal query", &pgconn.PgError{
		Severity: "ERROR", Code: "42883", Message: "function nope(text) does not exist",
		InternalQuery: "SELECT nope('Hunter2Secret')", Hint: "No function matches",
	}, "ERROR: undefined_function (SQLSTATE 42883; message redacted)"},
	{"unknown code of a known class", &pgconn.PgError{
		Severity: "ERROR", Code: "22Z99", Message: "SecretValue98",
	}, "ERROR: data_exception (SQLSTATE 22Z99; message redacted)"},
	{"bad SQLSTATE and severity", &pgconn.PgError{
		Severity: "Hunter2Secret", Code: "Hunter2Secret", Message: "x",
	}, "ERROR: error (SQLSTATE ?????; message redacted)"},
	{"allowed: deadlock", &pgconn.PgError{
		Severity: "ERROR", Code: "40P01", Message: "deadlock detected",
		Detail: "Process 4711 waits for ShareLock on transaction 815; blocked by process 42.",
	}, "ERROR: deadlock detected (SQLSTATE 40P01)"},
	{"allowed: canceled", &pgconn.PgError{
		Severity: "ERROR", Code: "57014", Message: "canceling statement due to user request",
	}, "ERROR: canceling statement due to user request (SQLSTATE 57014)"},
	{"allowed: serialization", &pgconn.PgError{
		Severity: "ERROR", Code: "40001", Message: "could not serialize access due to concurrent update",
	}, "ERROR: could not serialize access due to concurrent update (SQLSTATE 40001)"},
	{"allowed message under another SQLSTATE is redacted", &pgconn.PgError{
		Severity: "ERROR", Code: "P0001", Message: "deadlock detected",
	}, "ERROR: raise_exception (SQLSTATE P0001; message redacted)"},
	{"allowed message with more text is redacted", &pgconn.PgError{
		Severity: "ERROR", Code: "40P01", Message: "deadlock detected: Hunter2Secret",
	}, "ERROR: deadlock_detected (SQLSTATE 40P01; message redacted)"},
}

func TestServer(t *testing.T) {
	t.Parallel()
	for _, tt := range Corpus {
		got := Server(tt.Err)
		if got != tt.Want {
			t.Errorf("%s: Server = %q\nwant %q", tt.Name, got, tt.Want)
		}
		if l := leaks(got); len(l) > 0 {
			t.Errorf("%s: %q leaks %q", tt.Name, got, l)
		}
	}
}

func TestAllowedHaveNoPlaceholder(t *testing.T) {
	t.Parallel()
	for code, msgs := range allowed {
		if SQLState(code) != code || Condition(code) == "error" {
			t.Errorf("allowed code %q is not a known SQLSTATE", code)
		}
		for _, m := range msgs {
			if strings.ContainsAny(m, `%"'`) || strings.ContainsAny(m, "0123456789") {
				t.Errorf("allowed message %q may carry data", m)
			}
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	pe := Corpus[3].Err // 22P02
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"bare", pe, Corpus[3].Want},
		{"wrapped: prefix kept and masked", fmt.Errorf("pool: copy into %q: %w", "users", pe),
			`pool: copy into "?": ` + Corpus[3].Want},
		{"joined after", fmt.Errorf("%w (%w)", pe, context.Canceled), Corpus[3].Want + " (context canceled)"},
		{"connect error", fmt.Errorf("failed to connect to `user=Hunter2Secret database=app`: 127.0.0.1:5432: server error: %w",
			&pgconn.PgError{Severity: "FATAL", Code: "28P01", Message: `password authentication failed for user "Hunter2Secret"`}),
			"failed to connect to `?`: ?.?.?.?:?: server error: FATAL: invalid_password (SQLSTATE 28P01; message redacted)"},
		{"client encode error", fmt.Errorf("failed to encode args[0]: %w",
			errors.New(`unable to encode "SecretValue98" into binary format for int8 (OID 20)`)),
			`failed to encode args[?]: unable to encode "?" into binary format for int? (OID ?)`},
		{"hex bytes", errors.New(`unable to encode []byte{0x6c, 0xa1, 0x4f} into int8`),
			`unable to encode []byte{?, ?, ?} into int?`},
		{"context", context.DeadlineExceeded, "context deadline exceeded"},
	}
	for _, tt := range tests {
		if got := Text(tt.err); got != tt.want {
			t.Errorf("%s: Text = %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	for _, tt := range Corpus {
		err := Wrap(fmt.Errorf("statement: %w", tt.Err))
		if l := leaks(err.Error()); len(l) > 0 {
			t.Errorf("%s: %q leaks %q", tt.Name, err, l)
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe != tt.Err {
			t.Errorf("%s: errors.As does not find the original *pgconn.PgError", tt.Name)
		}
		if again := Wrap(err); again != err { //nolint:errorlint // identity is the point
			t.Errorf("%s: wrapped twice", tt.Name)
		}
	}
	scan := pgx.ScanArgError{ColumnIndex: 0, FieldName: "n", Err: errors.New(`parsing "SecretValue98": invalid syntax`)}
	if err := Wrap(scan); leaks(err.Error()) != nil || !errors.As(err, new(pgx.ScanArgError)) {
		t.Errorf("scan error: %q", err)
	}
	enc := fmt.Errorf("failed to encode args[0]: unable to encode %q", "SecretValue98")
	if err := Wrap(enc); leaks(err.Error()) != nil {
		t.Errorf("encode error: %q", err)
	}
	for _, err := range []error{nil, errors.New("hook: name 42 too long"), context.Canceled} {
		if got := Wrap(err); got != err { //nolint:errorlint // identity is the point
			t.Errorf("Wrap(%v) changed an error that carries no value", err)
		}
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`Key (email)=(a@b.c) already exists.`, `Key (email)=(?) already exists.`},
		{`value 'x' and "y" and ` + "`z`", `value '?' and "?" and ` + "`?`"},
		{`unterminated 'secret`, `unterminated '?'`},
		{`Key (a, b)=(1, 2`, `Key (a, b)=(?)`},
		{`no values here`, `no values here`},
		{`ids 4711abc and 0x6c, int8`, `ids ? and ?, int?`},
		{`can't scan into dest[0] (col: score): parsing "abc": invalid`, `can't scan into dest[?] (col: score): parsing "?": invalid`},
		{`unable to encode "a\"Hunter2Secret" into int8`, `unable to encode "?" into int?`},
		{`value 'it's Hunter2Secret' here`, `value '?' here`},
		{`value 'it''s Hunter2Secret' here`, `value '?''?' here`},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzServer checks that only the SQLSTATE, the severity and the object
// names reach a redacted text: whatever the message and the value-bearing
// fields hold, the text is the one of an error without them.
func FuzzServer(f *testing.F) {
	for _, tt := range Corpus {
		f.Add(tt.Err.Code, tt.Err.Message, tt.Err.Detail+tt.Err.Hint+tt.Err.Where)
	}
	f.Fuzz(func(t *testing.T, code, msg, other string) {
		full := &pgconn.PgError{
			Severity: "ERROR", Code: code, Message: msg, Detail: other, Hint: other, Where: other,
			InternalQuery: other, Routine: other, File: other, DataTypeName: other,
		}
		got := Server(full)
		if Verbatim(full) {
			if !strings.Contains(got, msg) {
				t.Fatalf("allowed message %q dropped: %q", msg, got)
			}
			return
		}
		if want := Server(&pgconn.PgError{Severity: "ERROR", Code: code}); got != want {
			t.Fatalf("Server = %q, want %q (message or other fields leaked)", got, want)
		}
	})
}

// FuzzMask checks that a value quoted the way pgx and Go quote it (%q, or
// '...' without the quote) never shows through Mask, whatever it holds.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"Hunter2Secret", `a"b\`, "it's", "", "(x)", "42", "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		want := Mask(`unable to encode "x" into int8 (col: n)`)
		if got := Mask("unable to encode " + strconv.Quote(secret) + " into int8 (col: n)"); got != want {
			t.Fatalf("%%q form: Mask = %q, want %q", got, want)
		}
		value := strings.ReplaceAll(secret, "'", "")
		want = Mask(`value 'x' is bad`)
		if got := Mask("value '" + value + "' is bad"); got != want {
			t.Fatalf("'...' form: Mask = %q, want %q", got, want)
		}
	})
}
