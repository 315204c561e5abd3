// Package demo runs the make demo service (tools/demo/notes) end to end
// against a pgtest primary and streaming replica and asserts every
// scripted step's outcome, so the demo cannot silently rot.
package demo
