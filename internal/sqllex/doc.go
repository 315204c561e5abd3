// Package sqllex is norm's one lexer for PostgreSQL SQL text. sqlb
// (placeholders and named parameters), observe (masking and operation
// names), pool (read-only classification) and migrate (statement
// splitting) each keep only their own logic on top of its tokens, so a fix
// to PostgreSQL's lexical rules is made once.
//
// It follows the rules of PostgreSQL's scanner (src/backend/parser/scan.l)
// for what must be recognized to tell code from data:
//
//   - string constants '…' (a doubled quote is a quote), read with
//     standard_conforming_strings on unless Scanner.Backslashes is set;
//     E'…' in which a backslash escapes the next byte; N'…', B'…', X'…',
//     U&'…'. A prefix counts only as a whole word: ae'x' is the identifier
//     ae and a string;
//   - dollar-quoted strings $$…$$ and $tag$…$tag$, whose tag is an
//     identifier without $. A $ inside an identifier (a$b, a$1, a$$) is
//     part of the identifier and starts neither a dollar quote nor a
//     parameter;
//   - quoted identifiers "…" and U&"…" with "" escapes;
//   - -- line comments, ended by a newline or a carriage return, and
//     /* block comments */, which nest;
//   - $n parameters, :: casts and semicolons; numbers, words and one-byte
//     punctuation for the rest.
//
// The lexer never fails: an unterminated construct runs to the end of the
// text and is flagged (Token.Unterminated), so a caller that builds SQL can
// reject it and a caller that only reads SQL can treat the rest as data.
// Scanning allocates nothing.
//
// # Why a module of its own
//
// The lexer lives in github.com/normkit/norm/internal, a module with no
// requirements and the oldest go line of its users (sqlb's), rather than in
// sqlb: pool and observe import no other norm module and must not gain
// squirrel or sqlb, and sqlb must not gain pgx. A zero-dependency module is
// the only home every one of them can require without changing what a
// user's build downloads.
//
// Because its import path contains /internal/, only norm's own modules
// (github.com/normkit/norm/...) can import it: it is not part of norm's
// public API and users cannot depend on it. But it is a published module
// that its siblings require at a released version, so a released sibling
// keeps building against every later version of this one: its API stays
// backward-compatible within a major version like a public module's (add,
// never change or remove), and a change of behavior is a fix PostgreSQL's
// scanner agrees with, noted in CHANGELOG.md.
package sqllex
