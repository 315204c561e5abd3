package repo

import (
	"strings"
	"testing"
)

// TestDefaultUpsertSpecKey: the shortcut key of an upsert without options
// is the key the general formula gives, so both name one cached shape.
func TestDefaultUpsertSpecKey(t *testing.T) {
	t.Parallel()
	general := strings.Join(nil, "\x00") + "\x01" + "" + "\x01" + strings.Join(nil, "\x00") + "\x01" + "false" + "false"
	if got := upsertOf(nil).key(); got != general {
		t.Errorf("key of the default spec = %q, want %q", got, general)
	}
	if k := upsertOf([]UpsertOption{OnConflict("email")}).key(); k == general {
		t.Error("a spec with a conflict target shares the default key")
	}
}
