package migrate

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestObjectName(t *testing.T) {
	const prefix = "twin_table_customer_reference_identifier_for_external_billing_s" // 63 bytes
	tests := []struct {
		name string
		in   string
		want string // exact result; "" to check the properties only
	}{
		{name: "short name unchanged", in: "users_email_key", want: "users_email_key"},
		{name: "63 bytes unchanged", in: strings.Repeat("a", 63), want: strings.Repeat("a", 63)},
		{name: "64 bytes shortened", in: strings.Repeat("a", 64)},
		{name: "long twin a", in: prefix + "ystem_a_key"},
		{name: "long twin b", in: prefix + "ystem_b_key"},
		{name: "multibyte at the cut", in: strings.Repeat("a", 53) + strings.Repeat("é", 10)},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := objectName(tc.in)
			if tc.want != "" && got != tc.want {
				t.Fatalf("objectName(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if len(got) > maxNameLen {
				t.Errorf("objectName(%q) = %q: %d bytes, over %d", tc.in, got, len(got), maxNameLen)
			}
			if !utf8.ValidString(got) {
				t.Errorf("objectName(%q) = %q: not valid UTF-8", tc.in, got)
			}
			if again := objectName(tc.in); again != got {
				t.Errorf("objectName(%q) not deterministic: %q then %q", tc.in, got, again)
			}
			if prev, ok := seen[got]; ok && prev != tc.in {
				t.Errorf("objectName(%q) = objectName(%q) = %q", tc.in, prev, got)
			}
			seen[got] = tc.in
		})
	}
}

// TestFromModelsLongNames: the generated names of a model whose two
// unique, indexed columns share a long prefix fit and differ.
func TestFromModelsLongNames(t *testing.T) {
	type twin struct {
		ID int64  `db:"id" norm:"pk,auto_increment"`
		A  string `db:"customer_reference_identifier_for_external_billing_system_a" norm:"unique,index"`
		B  string `db:"customer_reference_identifier_for_external_billing_system_b" norm:"unique,index,fk:others(id)"`
	}
	s, err := FromModels(twin{})
	if err != nil {
		t.Fatal(err)
	}
	tbl := s.Tables[0]
	var names []string
	for _, c := range tbl.Constraints {
		names = append(names, c.Name)
	}
	for _, ix := range tbl.Indexes {
		names = append(names, ix.Name)
	}
	names = append(names, helperCheckName(tbl, "customer_reference_identifier_for_external_billing_system_a"),
		helperCheckName(tbl, "customer_reference_identifier_for_external_billing_system_b"))
	if len(names) != 7 {
		t.Fatalf("names %q, want 7 (2 unique, 1 foreign key, 2 indexes, 2 helper checks)", names)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if len(n) > maxNameLen {
			t.Errorf("%q is %d bytes, over %d", n, len(n), maxNameLen)
		}
		if seen[n] {
			t.Errorf("%q generated twice", n)
		}
		seen[n] = true
	}
}
