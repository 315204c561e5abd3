package rlsutil

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestValidateSettingNameChecksFirstCharacterOfEveryPart puts the bad
// byte at index 0 of a part, first part and later ones: a check that
// skipped a part's first byte would let a quote or dash through into the
// literal CREATE POLICY embeds.
func TestValidateSettingNameChecksFirstCharacterOfEveryPart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		part string // the part the error must name
	}{
		{"'app.x", "'app"},
		{"-app.x", "-app"},
		{" app.x", " app"},
		{"$app.x", "$app"},
		{"app.'x", "'x"},
		{"app.-x", "-x"},
		{"app.)x", ")x"},
		{"app. x", " x"},
		{"app.\x00x", "\x00x"},
		{"app.é", "é"}, // multi-byte: first byte is not a word byte
		{"app.x.'y", "'y"},
		{"app.x.-y", "-y"},
		{"app.x.9y", "9y"},
		// Single-byte parts: the bad byte is the whole part.
		{"app.'", "'"},
		{"'.x", "'"},
	}
	for _, tt := range tests {
		err := ValidateSettingName(tt.name)
		if !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("ValidateSettingName(%q) = %v, want ErrInvalidSetting", tt.name, err)
			continue
		}
		want := "part " + strconv.Quote(tt.part) + " must be"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateSettingName(%q) = %q, want it to contain %q", tt.name, err, want)
		}
	}
	// The same names are refused where they would reach DDL and SET.
	for _, tt := range tests {
		if _, err := (TenantPolicy{Table: "notes", Setting: tt.name}).SQL(); !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("TenantPolicy{Setting: %q}.SQL() = %v, want ErrInvalidSetting", tt.name, err)
		}
		if err := (Settings{Vars: map[string]string{tt.name: "v"}}).Validate(); !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("Settings{%q}.Validate() = %v, want ErrInvalidSetting", tt.name, err)
		}
	}
}
