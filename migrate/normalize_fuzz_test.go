package migrate

import "testing"

func FuzzNormalizeExpr(f *testing.F) {
	for _, s := range []string{"'draft'::text", "(price > (0)::numeric)", `"Order" = E'it\'s'`, "now()", "'-1'::integer", "a::character varying(10)[]", "((", "'unterminated", `"q""uote"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := normalizeExpr(s)
		if again := normalizeExpr(s); again != got {
			t.Fatalf("not deterministic: %q then %q", got, again)
		}
		if padded := normalizeExpr(" \n\t" + s); padded != got {
			t.Fatalf("leading whitespace changed the result: %q vs %q", padded, got)
		}
		_ = normalizeType(s)
	})
}
