// Package quickstart runs the code of docs/quickstart.md against a real
// server, so the quickstart cannot silently rot.
package quickstart
