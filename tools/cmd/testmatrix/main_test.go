package main

import (
	"bytes"
	"strings"
	"testing"
)

const sampleRun = `{"Action":"run","Package":"github.com/normkit/norm/e2e/pool","Test":"TestA"}
{"Action":"output","Package":"github.com/normkit/norm/e2e/pool","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"pass","Package":"github.com/normkit/norm/e2e/pool","Test":"TestA"}
{"Action":"run","Package":"github.com/normkit/norm/e2e/pool","Test":"TestB"}
{"Action":"output","Package":"github.com/normkit/norm/e2e/pool","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"output","Package":"github.com/normkit/norm/e2e/pool","Test":"TestB","Output":"    b_test.go:12: PostgreSQL 13 has no pg_stat_io\n"}
{"Action":"output","Package":"github.com/normkit/norm/e2e/pool","Test":"TestB","Output":"--- SKIP: TestB (0.00s)\n"}
{"Action":"skip","Package":"github.com/normkit/norm/e2e/pool","Test":"TestB"}
{"Action":"run","Package":"github.com/normkit/norm/e2e/pool","Test":"TestC/sub"}
{"Action":"output","Package":"github.com/normkit/norm/e2e/pool","Test":"TestC/sub","Output":"    c_test.go:7: got 1, want 2\n"}
{"Action":"fail","Package":"github.com/normkit/norm/e2e/pool","Test":"TestC/sub"}
{"Action":"fail","Package":"github.com/normkit/norm/e2e/pool","Test":"TestC"}
{"Action":"fail","Package":"github.com/normkit/norm/e2e/pool"}
{"Action":"output","Package":"github.com/normkit/norm/e2e/repo","Output":"pgtest: no server\n"}
{"Action":"fail","Package":"github.com/normkit/norm/e2e/repo"}
{"Action":"pass","Package":"github.com/normkit/norm/e2e/sqlb","Test":"TestD"}
{"Action":"pass","Package":"github.com/normkit/norm/e2e/sqlb"}
`

func TestParseCountsOutcomesAndSkipReasons(t *testing.T) {
	t.Parallel()
	res, err := parse(13, "13.23", strings.NewReader(sampleRun), nil)
	if err != nil {
		t.Fatal(err)
	}
	pool := res.packages["e2e/pool"]
	if pool == nil || pool.pass != 1 || pool.fail != 2 || pool.skip != 1 || pool.broken {
		t.Errorf("pool counts %+v, want 1 pass, 2 fails (test and subtest), 1 skip, not broken", pool)
	}
	if r := res.packages["e2e/repo"]; r == nil || !r.broken {
		t.Errorf("repo failed outside any test but counts %+v", r)
	}
	if s := res.packages["e2e/sqlb"]; s == nil || s.pass != 1 || s.fail+s.skip != 0 {
		t.Errorf("sqlb counts %+v, want 1 pass", s)
	}
	if len(res.skips) != 1 || res.skips[0].reason != "b_test.go:12: PostgreSQL 13 has no pg_stat_io" {
		t.Errorf("skips %+v, want TestB with its t.Skip message", res.skips)
	}
	want := []string{"e2e/pool.TestC/sub", "e2e/pool.TestC", "e2e/repo"}
	var got []string
	for _, f := range res.failures {
		got = append(got, f.name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("failures %v, want %v", got, want)
	}

	m := &matrix{}
	m.add(res)
	var out bytes.Buffer
	m.print(&out)
	for _, line := range []string{
		"| package (pass/fail/skip) | 13.23 |",
		"| e2e/pool | 1/2/1 |",
		"| e2e/repo | FAIL 0/0/0 |",
		"| e2e/sqlb | 1/0/0 |",
		"skip on 13.23: e2e/pool TestB: b_test.go:12: PostgreSQL 13 has no pg_stat_io",
		"FAIL on 13.23: e2e/repo",
		"FAIL on 13.23: e2e/pool.TestC/sub\n    " + "    c_test.go:7: got 1, want 2\n",
		"    pgtest: no server\n",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("table lacks %q:\n%s", line, out.String())
		}
	}
}

func TestParseVersions(t *testing.T) {
	t.Parallel()
	if vs, err := parseVersions("13, 18 15"); err != nil || len(vs) != 3 || vs[0] != 13 || vs[1] != 18 || vs[2] != 15 {
		t.Errorf("parseVersions = %v, %v", vs, err)
	}
	for _, bad := range []string{"", "18.4", "x"} {
		if _, err := parseVersions(bad); err == nil {
			t.Errorf("parseVersions(%q) accepted it", bad)
		}
	}
}
