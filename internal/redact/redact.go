// Package redact turns errors from PostgreSQL and pgx into text that
// carries no value from the data or the parameters. It is the one
// implementation of the rule for observe, pool and repo, which may not
// import one another (see DESIGN.md, "How the modules meet"); until
// v0.1.0 of this module each of them held a copy.
//
// Because its path contains /internal/, only norm's own modules
// (github.com/normkit/norm/...) can import it; it is not part of norm's
// public API. It is a module of its own, apart from
// github.com/normkit/norm/internal, because it needs pgx and that module
// must not (sqlb, which uses it, is pgx-free). Its siblings require it at
// a released version, so its API stays backward-compatible within a major
// version like a public module's: add, never change or remove.
//
// The rule: a server message is kept verbatim only when it is one of a
// fixed set of PostgreSQL messages that have no placeholder (allowed).
// Every other server error becomes its severity, the name of its SQLSTATE
// condition (unique_violation, invalid_text_representation, …), the
// SQLSTATE, and the schema, table, column and constraint names the server
// reports; the message, Detail, Hint, Where, InternalQuery and the rest
// are left out, since a trigger's RAISE, a data exception or a syntax
// error can quote any value there.
package redact

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// allowed lists, by SQLSTATE, the server messages kept verbatim. Each is
// the full text of an errmsg in PostgreSQL's source with no %-placeholder,
// so a message equal to one of them can carry nothing but itself. The
// match is exact: a translated message (lc_messages) is redacted.
var allowed = map[string][]string{
	"0A000": {"cached plan must not change result type"},
	"21000": {"more than one row returned by a subquery used as an expression"},
	"22003": {"integer out of range", "bigint out of range", "smallint out of range"},
	"22012": {"division by zero"},
	"25P02": {"current transaction is aborted, commands ignored until end of transaction block"},
	"25P03": {"terminating connection due to idle-in-transaction timeout"},
	"40001": {
		"could not serialize access due to concurrent update",
		"could not serialize access due to concurrent delete",
		"could not serialize access due to read/write dependencies among transactions",
		"canceling statement due to conflict with recovery",
		"terminating connection due to conflict with recovery",
	},
	"40P01": {"deadlock detected"},
	"42601": {"syntax error at end of input"},
	"53300": {
		"sorry, too many clients already",
		"remaining connection slots are reserved for non-replication superuser connections",
	},
	"55P03": {"canceling statement due to lock timeout"},
	"57014": {"canceling statement due to user request", "canceling statement due to statement timeout"},
	"57P01": {"terminating connection due to administrator command"},
	"57P02": {"terminating connection because of crash of another server process"},
	"57P03": {
		"the database system is starting up",
		"the database system is shutting down",
		"the database system is in recovery mode",
		"the database system is not yet accepting connections",
		"the database system is not accepting connections",
	},
	"57P04": {"terminating connection due to conflict with recovery"},
	"57P05": {"terminating connection due to idle-session timeout"},
}

// Verbatim reports whether pe's message is one of the allowed fixed
// messages of its SQLSTATE.
func Verbatim(pe *pgconn.PgError) bool {
	for _, m := range allowed[pe.Code] {
		if pe.Message == m {
			return true
		}
	}
	return false
}

// Server returns the loggable text of a server error: pgconn's own format
// ("ERROR: deadlock detected (SQLSTATE 40P01)") when the message is
// allowed, else the condition name, SQLSTATE and object names, as in
// "ERROR: unique_violation (SQLSTATE 23505, table users, constraint
// users_email_key; message redacted)".
func Server(pe *pgconn.PgError) string {
	sev, code := severity(pe), SQLState(pe.Code)
	if Verbatim(pe) {
		return sev + ": " + pe.Message + " (SQLSTATE " + code + ")"
	}
	var b strings.Builder
	b.WriteString(sev)
	b.WriteString(": ")
	b.WriteString(Condition(code))
	b.WriteString(" (SQLSTATE ")
	b.WriteString(code)
	for _, f := range [...][2]string{
		{"schema", pe.SchemaName}, {"table", pe.TableName},
		{"column", pe.ColumnName}, {"constraint", pe.ConstraintName},
	} {
		if f[1] != "" {
			b.WriteString(", ")
			b.WriteString(f[0])
			b.WriteByte(' ')
			b.WriteString(f[1])
		}
	}
	b.WriteString("; message redacted)")
	return b.String()
}

// Text returns the message of err with no value in it; nil gives "".
// When err holds a *pgconn.PgError, the server's part of the message is
// replaced by Server and the text around it (wrappers' prefixes) is
// masked with Mask; any other error is masked with Mask.
func Text(err error) string {
	if err == nil {
		return ""
	}
	full := err.Error()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return Mask(full)
	}
	inner := pe.Error()
	i := strings.Index(full, inner)
	if i < 0 {
		return Server(pe)
	}
	return Mask(full[:i]) + Server(pe) + Mask(full[i+len(inner):])
}

// Carries reports whether err's message may quote a value: it holds a
// server error, a pgx scan error, or pgx's failure to encode an argument
// (which quotes the argument). Errors that carry none — the caller's own,
// a context's, a pool's — are better returned untouched.
func Carries(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	var se pgx.ScanArgError
	return errors.As(err, &pe) || errors.As(err, &se) ||
		strings.Contains(err.Error(), "failed to encode args[")
}

// Error is an error whose message is Text of the error it wraps; errors.Is
// and errors.As see the wrapped error (and its *pgconn.PgError) unchanged.
type Error struct {
	err error
}

// Wrap returns err wrapped in an *Error when Carries(err), else err.
func Wrap(err error) error {
	if !Carries(err) {
		return err
	}
	if _, already := err.(*Error); already { //nolint:errorlint // only err itself, not one it wraps
		return err
	}
	return &Error{err: err}
}

// Error returns the redacted message.
func (e *Error) Error() string { return Text(e.err) }

// Unwrap returns the original error.
func (e *Error) Unwrap() error { return e.err }

// severity returns the unlocalized severity when the server sent one, else
// the severity if it is a known word, else "ERROR".
func severity(pe *pgconn.PgError) string {
	for _, s := range [...]string{pe.SeverityUnlocalized, pe.Severity} {
		switch s {
		case "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "DEBUG", "INFO", "LOG":
			return s
		}
	}
	return "ERROR"
}

// SQLState returns code when it has SQLSTATE's shape (five digits or
// upper-case letters), else "?????".
func SQLState(code string) string {
	if len(code) != 5 {
		return "?????"
	}
	for i := range len(code) {
		if c := code[i]; !isDigit(c) && (c < 'A' || c > 'Z') {
			return "?????"
		}
	}
	return code
}

// Mask replaces quoted substrings ('...', "..." with backslash escapes,
// `...`, (...)=(...) value lists) and words that start with a digit (42,
// 0x6c, 4711abc) in s with "?", for free text that may quote a value,
// such as a driver's error. An apostrophe inside a word (can't) is text.
func Mask(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '`' || (c == '\'' && (i == 0 || !isWord(s[i-1]))):
			end := closing(s, i)
			b.WriteByte(c)
			b.WriteByte('?')
			b.WriteByte(c)
			if end < 0 {
				return b.String()
			}
			i = end + 1
		case c == ')' && strings.HasPrefix(s[i:], ")=("):
			end := strings.IndexByte(s[i+3:], ')')
			b.WriteString(")=(?)")
			if end < 0 {
				return b.String()
			}
			i += end + 4
		case isDigit(c) && (i == 0 || !isWord(s[i-1])):
			for i < len(s) && isWord(s[i]) {
				i++
			}
			b.WriteByte('?')
		case isDigit(c):
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			b.WriteByte('?')
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// closing returns the index of the quote that closes the one at s[open],
// or -1. In "..." a backslash escapes the next byte (Go's %q); a ' inside
// a word (can't) neither opens nor closes a quote.
func closing(s string, open int) int {
	q := s[open]
	for j := open + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '\\':
			j++
		case s[j] != q:
		case q != '\'' || j+1 == len(s) || !isWord(s[j+1]):
			return j
		}
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWord(c byte) bool {
	return isDigit(c) || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// Condition returns the name PostgreSQL gives SQLSTATE code (Appendix A of
// its manual): the code's own for the common ones, else its class's, else
// "error".
func Condition(code string) string {
	if n, ok := conditions[code]; ok {
		return n
	}
	if len(code) == 5 {
		if n, ok := classes[code[:2]]; ok {
			return n
		}
	}
	return "error"
}

var conditions = map[string]string{
	"08000": "connection_exception", "08001": "sqlclient_unable_to_establish_sqlconnection",
	"08003": "connection_does_not_exist", "08004": "sqlserver_rejected_establishment_of_sqlconnection",
	"08006": "connection_failure", "08P01": "protocol_violation",
	"0A000": "feature_not_supported",
	"21000": "cardinality_violation",
	"22001": "string_data_right_truncation", "22003": "numeric_value_out_of_range",
	"22004": "null_value_not_allowed", "22007": "invalid_datetime_format",
	"22008": "datetime_field_overflow", "22012": "division_by_zero",
	"22021": "character_not_in_repertoire", "22023": "invalid_parameter_value",
	"22025": "invalid_escape_sequence", "22032": "invalid_json_text",
	"22P02": "invalid_text_representation", "22P03": "invalid_binary_representation",
	"22P04": "bad_copy_file_format", "22P05": "untranslatable_character",
	"23000": "integrity_constraint_violation", "23001": "restrict_violation",
	"23502": "not_null_violation", "23503": "foreign_key_violation",
	"23505": "unique_violation", "23514": "check_violation", "23P01": "exclusion_violation",
	"25001": "active_sql_transaction", "25006": "read_only_sql_transaction",
	"25P01": "no_active_sql_transaction", "25P02": "in_failed_sql_transaction",
	"25P03": "idle_in_transaction_session_timeout",
	"28000": "invalid_authorization_specification", "28P01": "invalid_password",
	"3D000": "invalid_catalog_name", "3F000": "invalid_schema_name",
	"40000": "transaction_rollback", "40001": "serialization_failure",
	"40002": "transaction_integrity_constraint_violation", "40003": "statement_completion_unknown",
	"40P01": "deadlock_detected",
	"42501": "insufficient_privilege", "42601": "syntax_error",
	"42701": "duplicate_column", "42702": "ambiguous_column", "42703": "undefined_column",
	"42704": "undefined_object", "42710": "duplicate_object", "42803": "grouping_error",
	"42804": "datatype_mismatch", "42809": "wrong_object_type", "42830": "invalid_foreign_key",
	"42846": "cannot_coerce", "42883": "undefined_function", "42P01": "undefined_table",
	"42P02": "undefined_parameter", "42P05": "duplicate_prepared_statement",
	"42P07": "duplicate_table", "42P18": "indeterminate_datatype",
	"53000": "insufficient_resources", "53100": "disk_full", "53200": "out_of_memory",
	"53300": "too_many_connections",
	"54000": "program_limit_exceeded",
	"55000": "object_not_in_prerequisite_state", "55006": "object_in_use", "55P03": "lock_not_available",
	"57000": "operator_intervention", "57014": "query_canceled", "57P01": "admin_shutdown",
	"57P02": "crash_shutdown", "57P03": "cannot_connect_now", "57P04": "database_dropped",
	"57P05": "idle_session_timeout",
	"58000": "system_error", "58030": "io_error",
	"P0000": "plpgsql_error", "P0001": "raise_exception", "P0002": "no_data_found",
	"P0003": "too_many_rows", "P0004": "assert_failure",
	"XX000": "internal_error", "XX001": "data_corrupted", "XX002": "index_corrupted",
}

var classes = map[string]string{
	"00": "successful_completion", "01": "warning", "02": "no_data",
	"03": "sql_statement_not_yet_complete", "08": "connection_exception",
	"09": "triggered_action_exception", "0A": "feature_not_supported",
	"0B": "invalid_transaction_initiation", "0F": "locator_exception",
	"0L": "invalid_grantor", "0P": "invalid_role_specification",
	"0Z": "diagnostics_exception", "20": "case_not_found", "21": "cardinality_violation",
	"22": "data_exception", "23": "integrity_constraint_violation",
	"24": "invalid_cursor_state", "25": "invalid_transaction_state",
	"26": "invalid_sql_statement_name", "27": "triggered_data_change_violation",
	"28": "invalid_authorization_specification",
	"2B": "dependent_privilege_descriptors_still_exist",
	"2D": "invalid_transaction_termination", "2F": "sql_routine_exception",
	"34": "invalid_cursor_name", "38": "external_routine_exception",
	"39": "external_routine_invocation_exception", "3B": "savepoint_exception",
	"3D": "invalid_catalog_name", "3F": "invalid_schema_name",
	"40": "transaction_rollback", "42": "syntax_error_or_access_rule_violation",
	"44": "with_check_option_violation", "53": "insufficient_resources",
	"54": "program_limit_exceeded", "55": "object_not_in_prerequisite_state",
	"57": "operator_intervention", "58": "system_error", "72": "snapshot_too_old",
	"F0": "config_file_error", "HV": "fdw_error", "P0": "plpgsql_error", "XX": "internal_error",
}
