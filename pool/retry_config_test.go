package pool

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestRetryConfigValidateEdges checks each rule of RetryConfig.validate at
// its edge: zero (the default's marker) passes where one below fails, and
// BaseDelay may equal MaxDelay but not exceed it, unless MaxDelay is zero
// (default, filled in before validation).
func TestRetryConfigValidateEdges(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name string
		cfg  RetryConfig
		want []string // fields of the errors, in order; nil: valid
	}{
		{"zero values", RetryConfig{}, nil},
		{"one attempt", RetryConfig{MaxAttempts: 1}, nil},
		{"negative attempts", RetryConfig{MaxAttempts: -1}, []string{"Retry.MaxAttempts"}},
		{"negative BaseDelay", RetryConfig{BaseDelay: -time.Nanosecond}, []string{"Retry.BaseDelay"}},
		{"negative MaxDelay", RetryConfig{MaxDelay: -time.Nanosecond}, []string{"Retry.MaxDelay"}},
		{"BaseDelay equals MaxDelay", RetryConfig{BaseDelay: 5 * ms, MaxDelay: 5 * ms}, nil},
		{"BaseDelay above MaxDelay", RetryConfig{BaseDelay: 5*ms + 1, MaxDelay: 5 * ms}, []string{"Retry.BaseDelay"}},
		{"BaseDelay with default MaxDelay", RetryConfig{BaseDelay: 5 * ms}, nil},
		{"all three wrong", RetryConfig{MaxAttempts: -2, BaseDelay: -ms, MaxDelay: -ms},
			[]string{"Retry.MaxAttempts", "Retry.BaseDelay", "Retry.MaxDelay"}},
	}
	for _, tt := range tests {
		errs := tt.cfg.validate()
		var got []string
		for _, e := range errs {
			var ce *ConfigError
			if !errors.As(e, &ce) {
				t.Errorf("%s: %T %v, want *ConfigError", tt.name, e, e)
				continue
			}
			got = append(got, ce.Field)
			if strings.Contains(ce.Field, "Delay") && strings.Contains(ce.Msg, "negative") && !strings.Contains(ce.Msg, "-") {
				t.Errorf("%s: %q does not show the value", tt.name, ce.Msg)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: errors on %q, want %q (%v)", tt.name, got, tt.want, errs)
		}
	}
}
