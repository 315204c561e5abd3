package rlsutil

import (
	"errors"
	"strings"
	"testing"
)

// TestValidateSettingNameCharacterRangeEdges walks the edges of every
// accepted range (a–z, A–Z, 0–9, _) and the byte just outside each, in
// the first position of a part and in a later one, and the 63-byte limit
// a part has: a range check off by one would let a byte such as ` or {
// into the literal CREATE POLICY embeds, or refuse a name PostgreSQL
// takes.
func TestValidateSettingNameCharacterRangeEdges(t *testing.T) {
	t.Parallel()
	accepted := []string{
		"a.a", "z.z", "A.A", "Z.Z", "_._",
		"app.xa", "app.xz", "app.xA", "app.xZ", "app.x_",
		"app.x0", "app.x9",
		"app." + strings.Repeat("x", 63),
		strings.Repeat("x", 63) + ".x",
	}
	for _, name := range accepted {
		if err := ValidateSettingName(name); err != nil {
			t.Errorf("ValidateSettingName(%q) = %v, want it accepted", name, err)
		}
	}
	// The bytes just below and above each range, first and later in a part;
	// digits only later, as a leading digit is refused on its own.
	refused := []string{
		"app.`", "app.{", "app.@", "app.[", "app.^",
		"app.x`", "app.x{", "app.x@", "app.x[", "app.x/", "app.x:",
		"app.0x", "app.9x", "0x.app",
		"app." + strings.Repeat("x", 64),
		strings.Repeat("x", 64) + ".x",
	}
	for _, name := range refused {
		if err := ValidateSettingName(name); !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("ValidateSettingName(%q) = %v, want ErrInvalidSetting", name, err)
		}
	}
}
