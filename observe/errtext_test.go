package observe

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"unique violation keeps names, drops detail", fmt.Errorf("insert user: %w", &pgconn.PgError{
			Severity: "ERROR", Code: "23505", Message: `duplicate key value violates unique constraint "users_email_key"`,
			Detail: "Key (email)=(alice@example.com) already exists.",
		}), `insert user: ERROR: unique_violation (SQLSTATE 23505; message redacted)`},
		{"data exception masks quoted values", &pgconn.PgError{
			Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type uuid: "alice@example.com"`,
		}, `ERROR: invalid_text_representation (SQLSTATE 22P02; message redacted)`},
		{"raise masks", &pgconn.PgError{
			Severity: "ERROR", Code: "P0001", Message: `balance 1234 too low for 'alice'`,
		}, `ERROR: raise_exception (SQLSTATE P0001; message redacted)`},
		{"client error masked", errors.New(`failed to encode args[0]: unable to encode "alice@example.com" into text format for int8 (OID 20)`),
			`failed to encode args[?]: unable to encode "?" into text format for int? (OID ?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ErrorText(tt.err)
			if got != tt.want {
				t.Errorf("ErrorText = %q\nwant %q", got, tt.want)
			}
			if strings.Contains(got, "alice") || strings.Contains(got, "1234") {
				t.Errorf("ErrorText leaks a value: %q", got)
			}
		})
	}
}

func TestMaskText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`Key (email)=(a@b.c) already exists.`, `Key (email)=(?) already exists.`},
		{`value 'x' and "y" and ` + "`z`", `value '?' and "?" and ` + "`?`"},
		{`unterminated 'secret`, `unterminated '?'`},
		{`Key (a, b)=(1, 2`, `Key (a, b)=(?)`},
		{`no values here`, `no values here`},
	}
	for _, tt := range tests {
		if got := MaskText(tt.in); got != tt.want {
			t.Errorf("MaskText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzMaskText checks that a value quoted in free text never shows through
// MaskText, whatever it contains (short of the closing quote itself).
func FuzzMaskText(f *testing.F) {
	for _, s := range []string{"alice@example.com", "it's", "", "(x)", "42", "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, secret string) {
		templates := []struct{ open, close string }{
			{`invalid input syntax for type uuid: "`, `"`},
			{`unable to encode '`, `' into int8`},
			{"Key (email)=(", ") already exists."},
		}
		for _, tmpl := range templates {
			value := strings.ReplaceAll(secret, tmpl.close[:1], "")
			if tmpl.close[:1] == `"` { // a backslash escapes the next byte in "..."
				value = strings.ReplaceAll(value, `\`, "")
			}
			want := MaskText(tmpl.open + "x" + tmpl.close)
			if got := MaskText(tmpl.open + value + tmpl.close); got != want {
				t.Fatalf("MaskText(%q) = %q, want %q", tmpl.open+value+tmpl.close, got, want)
			}
		}
	})
}
