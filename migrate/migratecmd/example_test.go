package migratecmd_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/normkit/norm/migrate/migratecmd"
)

// Run is what a cmd/migrate/main.go calls; here `create` writes the next
// migration pair into a directory.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "migrations")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	var out, errOut bytes.Buffer
	code := migratecmd.Run(context.Background(), []string{"create", "add_users", "--dir", dir}, &out, &errOut, migratecmd.Options{})
	entries, _ := os.ReadDir(dir)
	fmt.Println("exit", code)
	for _, e := range entries {
		fmt.Println(filepath.Base(e.Name()))
	}
	// Output:
	// exit 0
	// 0001_add_users.down.sql
	// 0001_add_users.up.sql
}
