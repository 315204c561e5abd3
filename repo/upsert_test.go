package repo

import "testing"

// TestUpsertSpecKeys: every option gives the spec a key of its own, apart
// from the default's (which upsertSpec.key returns without concatenating).
func TestUpsertSpecKeys(t *testing.T) {
	t.Parallel()
	if got, want := upsertOf(nil).key(), (upsertSpec{}).fullKey(); got != want {
		t.Errorf("key of the default spec = %q, want %q", got, want)
	}
	seen := map[string]string{defaultSpecKey: "no option"}
	for name, opt := range map[string]UpsertOption{
		"OnConflict":      OnConflict("email"),
		"OnConstraint":    OnConstraint("users_email_key"),
		"UpdateColumns":   UpdateColumns("name"),
		"UpdateColumns()": UpdateColumns(),
		"DoNothing":       DoNothing(),
	} {
		k := upsertOf([]UpsertOption{opt}).key()
		if other, dup := seen[k]; dup {
			t.Errorf("%s has the key of %s", name, other)
		}
		seen[k] = name
	}
}
