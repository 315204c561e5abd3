package redact

// The package is a copy of observe/internal/redact, the one implementation
// of the rule (repo and pool may not import observe); e2e's
// TestRedactCopiesAreIdentical fails when a copy differs.
//go:generate cp ../../../observe/internal/redact/redact.go ../../../observe/internal/redact/redact_test.go .
