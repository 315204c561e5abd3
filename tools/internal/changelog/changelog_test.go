package changelog

import (
	"strings"
	"testing"
)

const head = "# Changelog\n\nIntro.\n\n"

func TestLatest(t *testing.T) {
	tests := []struct {
		text, want string
		err        bool
	}{
		{head + "## [Unreleased]\n\n## [0.2.0] - 2026-12-02\n\n## [0.1.0] - 2026-12-01\n", "0.2.0", false},
		{head + "## [Unreleased]\n\n- pending\n", "", false},
		{head + "## [0.1] - 2026-12-01\n", "", true},
	}
	for _, tt := range tests {
		got, err := Latest(tt.text)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Latest(%q) = %q, %v; want %q, error %v", tt.text, got, err, tt.want, tt.err)
		}
	}
}

func TestRelease(t *testing.T) {
	tests := []struct {
		name, text, fallback, want, err string
	}{
		{
			name: "unreleased becomes the version",
			text: head + "## [Unreleased]\n\n### Added\n\n- Thing.\n\n## [0.1.0] - 2026-12-01\n\n- First.\n",
			want: head + "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n### Added\n\n- Thing.\n\n## [0.1.0] - 2026-12-01\n\n- First.\n",
		},
		{
			name:     "empty unreleased takes the fallback",
			text:     head + "## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n\n- First.\n",
			fallback: "### Changed\n\n- API report.\n",
			want:     head + "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n### Changed\n\n- API report.\n\n## [0.1.0] - 2026-12-01\n\n- First.\n",
		},
		{
			name: "first release",
			text: head + "## [Unreleased]\n\n- Everything.\n",
			want: head + "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n- Everything.\n",
		},
		{name: "nothing to say", text: head + "## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n", err: "empty"},
		{name: "no unreleased section", text: head + "## [0.1.0] - 2026-12-01\n", err: "no \"## [Unreleased]\""},
		{name: "already released", text: head + "## [Unreleased]\n\n- x\n\n## [0.2.0] - 2026-12-01\n", err: "already released"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Release(tt.text, "0.2.0", "2026-12-24", tt.fallback)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Release error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Release =\n%s\nwant\n%s", got, tt.want)
			}
			if v, _ := Latest(got); v != "0.2.0" {
				t.Errorf("Latest after Release = %q", v)
			}
		})
	}
}
