package observe

import (
	"encoding/json"
	"math/big"
	"net/netip"
	"strings"
	"testing"
	"time"
)

type email string

type secretStruct struct{ Password string }

func (secretStruct) String() string { return "hunter2" }

func TestDescribe(t *testing.T) {
	t.Parallel()
	secret := "hunter2-secret"
	s := secret
	var nilPtr *string
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, "NULL"},
		{"string", secret, "text(14)"},
		{"named string", email("a@b.example"), "text(11)"},
		{"pointer to string", &s, "text(14)"},
		{"nil pointer", nilPtr, "NULL"},
		{"bytes", []byte(secret), "bytea(14)"},
		{"nil bytes", []byte(nil), "bytea(0)"},
		{"json", json.RawMessage(`{"password":"hunter2-secret"}`), "jsonb(29)"},
		{"int", 4242, "int8"},
		{"int64", int64(-7), "int8"},
		{"int32", int32(7), "int4"},
		{"int16", int16(7), "int2"},
		{"uint8", uint8(7), "int2"},
		{"float64", 3.14159, "float8"},
		{"float32", float32(2.5), "float4"},
		{"bool", true, "bool"},
		{"time", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), "timestamptz"},
		{"duration", time.Second, "interval"},
		{"big int", big.NewInt(123456789), "numeric"},
		{"inet", netip.MustParseAddr("10.1.2.3"), "inet"},
		{"uuid array", [16]byte{1, 2, 3}, "uuid"},
		{"string slice", []string{secret, "b", "c"}, "[]text(3)"},
		{"int slice", []int64{1, 2}, "[]int8(2)"},
		{"nil slice", []string(nil), "NULL"},
		{"nested slice", [][]string{{secret}}, "[][]text(1)"},
		{"slice of bytes", [][]byte{[]byte(secret)}, "[]bytea(1)"},
		{"map", map[string]any{"password": secret}, "jsonb(1)"},
		{"struct with String method", secretStruct{Password: secret}, "observe.secretStruct"},
		{"pointer to struct", &secretStruct{Password: secret}, "observe.secretStruct"},
		{"named int", time.Month(3), "int8"},
		{"any slice", []any{secret, 1}, "[]interface {}(2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Describe(tt.v)
			if got != tt.want {
				t.Errorf("Describe(%T) = %q, want %q", tt.v, got, tt.want)
			}
			for _, leak := range []string{secret, "hunter2", "4242", "3.14", "123456789", "10.1.2.3", "a@b"} {
				if strings.Contains(got, leak) {
					t.Errorf("Describe(%T) = %q leaks %q", tt.v, got, leak)
				}
			}
		})
	}
}

func TestMaskValue(t *testing.T) {
	t.Parallel()
	args := []any{"alice@example.com", 42, []byte("token")}
	tests := []struct {
		name string
		mask Mask
		want []string
	}{
		{"default masks all", Mask{}, []string{"text(17)", "int8", "bytea(5)"}},
		{"reveal by parameter number", Mask{Reveal: []int{2}}, []string{"text(17)", "42", "bytea(5)"}},
		{"reveal bytes as hex", Mask{Reveal: []int{3}}, []string{"text(17)", "int8", `\x746f6b656e`}},
		{"redact decides", Mask{Reveal: []int{1}, Redact: func(n int, v any) string {
			if n == 2 {
				return "n=2"
			}
			return Describe(v)
		}}, []string{"text(17)", "n=2", "bytea(5)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.mask.Args(args)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Args = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMaskHashKey(t *testing.T) {
	t.Parallel()
	m := Mask{HashKey: []byte("k1")}
	a, b := m.Value(1, "alice@example.com"), m.Value(1, "alice@example.com")
	c := m.Value(1, "bob@example.com")
	other := (&Mask{HashKey: []byte("k2")}).Value(1, "alice@example.com")
	if a != b {
		t.Errorf("same value hashed differently: %q %q", a, b)
	}
	if a == c || a == other {
		t.Errorf("hash does not depend on value and key: %q %q %q", a, c, other)
	}
	if !strings.HasPrefix(a, "text(17)#") || len(a) != len("text(17)#")+16 {
		t.Errorf("hashed form = %q, want text(17)# and 16 hex digits", a)
	}
	if m.Value(1, nil) != "NULL" {
		t.Errorf("nil with hash key = %q, want NULL", m.Value(1, nil))
	}
}

func TestRevealCapsLength(t *testing.T) {
	t.Parallel()
	got := (&Mask{Reveal: []int{1}}).Value(1, strings.Repeat("a", 1000))
	if len(got) > 260 || !strings.HasSuffix(got, "…") {
		t.Errorf("revealed value not capped: %d bytes", len(got))
	}
}
