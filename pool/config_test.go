package pool

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const trickyPassword = `p a's"s=w\rd`

func TestConfigPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"keyword/value quoted", Config{ConnString: `host=db1 user=app password='p a\'s"s=w\\rd' dbname=app`}},
		{"url percent-encoded", Config{ConnString: `postgres://app:p%20a%27s%22s%3Dw%5Crd@db1/app`}},
		{"field overrides dsn", Config{ConnString: "postgres://app:old@db1/app", Password: trickyPassword}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := tt.cfg.build()
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if got := b.primary.pool.ConnConfig.Password; got != trickyPassword {
				t.Errorf("password = %q, want %q", got, trickyPassword)
			}
			if got := b.primary.pool.ConnConfig.Host; got != "db1" {
				t.Errorf("host = %q, want db1", got)
			}
		})
	}
}

func TestConfigParseErrorHidesPassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"host=db1 password=s3cr3tpw port=notaport",
		"postgres://app:s3cr3tpw@db1:notaport/app",
		"host=db1 password=s3cr3tpw extra",
		"host=db1 password='s3cr3tpw",
	} {
		err := Config{ConnString: dsn}.Validate()
		if err == nil {
			t.Errorf("Validate(%q) = nil, want a parse error", dsn)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3tpw") {
			t.Errorf("error for %q leaks the password: %v", dsn, err)
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "ConnString" {
			t.Errorf("error for %q = %v, want a ConfigError on ConnString", dsn, err)
		}
	}
}

func TestConfigValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	cfg := Config{
		ConnString:         "postgres://app@db1/app",
		ReplicaConnStrings: []string{"postgres://app@db2/app", "host=db3 port=x"},
		MaxConns:           2,
		MinConns:           5,
		StatementTimeout:   -time.Second,
		ReplicaWait:        -time.Millisecond,
		Retry:              RetryConfig{MaxAttempts: -1, BaseDelay: 2 * time.Second, MaxDelay: time.Second},
		Breaker:            BreakerConfig{OpenTimeout: -1},
		QueryExecMode:      pgx.QueryExecMode(99),
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate = nil, want errors")
	}
	want := []string{"MinConns", "QueryExecMode", "StatementTimeout", "ReplicaWait", "Retry.MaxAttempts", "Retry.BaseDelay",
		"Breaker.OpenTimeout", "ReplicaConnStrings[1]"}
	var got []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *ConfigError
		if !errors.As(e, &ce) {
			t.Errorf("not a ConfigError: %v", e)
			continue
		}
		got = append(got, ce.Field)
		if !strings.HasPrefix(e.Error(), "pool: Config."+ce.Field+": ") {
			t.Errorf("message %q does not name its field first", e.Error())
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fields = %v, want %v", got, want)
	}
}

func TestConfigDefaultsAndSettings(t *testing.T) {
	t.Parallel()
	cfg := Config{
		ConnString:         "postgres://app:pw@db1:5433/app?application_name=fromdsn",
		ReadOnlyConnString: "postgres://other@db2/otherdb",
		User:               "svc",
		Password:           "secret",
		Database:           "main",
		StatementTimeout:   1500 * time.Millisecond,
		LockTimeout:        time.Second,
		RuntimeParams:      map[string]string{"search_path": "app"},
		ApplicationName:    "billing",
		QueryExecMode:      pgx.QueryExecModeCacheDescribe,
	}
	b, err := cfg.build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	p := b.primary.pool
	if p.MaxConns != DefaultMaxConns || p.MaxConnLifetime != DefaultMaxConnLifetime ||
		p.MaxConnIdleTime != DefaultMaxConnIdleTime || p.HealthCheckPeriod != DefaultHealthCheckPeriod {
		t.Errorf("pool defaults not applied: max=%d life=%s idle=%s health=%s",
			p.MaxConns, p.MaxConnLifetime, p.MaxConnIdleTime, p.HealthCheckPeriod)
	}
	cc := p.ConnConfig
	if cc.ConnectTimeout != DefaultConnectTimeout {
		t.Errorf("connect timeout = %s", cc.ConnectTimeout)
	}
	wantParams := map[string]string{"statement_timeout": "1500", "lock_timeout": "1000",
		"search_path": "app", "application_name": "billing"}
	for k, v := range wantParams {
		if cc.RuntimeParams[k] != v {
			t.Errorf("runtime param %s = %q, want %q", k, cc.RuntimeParams[k], v)
		}
	}
	if _, ok := cc.RuntimeParams["idle_in_transaction_session_timeout"]; ok {
		t.Error("zero IdleInTransactionSessionTimeout was sent")
	}
	if cc.DefaultQueryExecMode != pgx.QueryExecModeCacheDescribe {
		t.Errorf("exec mode = %v", cc.DefaultQueryExecMode)
	}
	if cc.User != "svc" || cc.Password != "secret" || cc.Database != "main" || cc.Port != 5433 {
		t.Errorf("primary overrides: user=%q db=%q port=%d", cc.User, cc.Database, cc.Port)
	}
	if len(b.replicas) != 1 {
		t.Fatalf("replicas = %d, want 1 from ReadOnlyConnString", len(b.replicas))
	}
	rc := b.replicas[0].pool.ConnConfig
	if rc.Host != "db2" || rc.User != "svc" || rc.Password != "secret" || rc.Database != "main" {
		t.Errorf("replica: host=%q user=%q db=%q; want db2 with the shared credentials", rc.Host, rc.User, rc.Database)
	}
	if b.replicas[0].name != "replica[0]" || b.replicas[0].addr != "db2:5432" {
		t.Errorf("replica name %q addr %q", b.replicas[0].name, b.replicas[0].addr)
	}
	if b.cfg.Retry.MaxAttempts != 3 || b.cfg.Breaker.FailureThreshold != 5 || b.cfg.MaxReplicaLag != DefaultMaxReplicaLag {
		t.Errorf("retry/breaker/lag defaults not applied: %+v %+v %s", b.cfg.Retry, b.cfg.Breaker, b.cfg.MaxReplicaLag)
	}
}

func TestConfigPoolSettingsFromDSN(t *testing.T) {
	t.Parallel()
	b, err := Config{ConnString: "postgres://app@db1/app?pool_max_conns=4&pool_min_conns=2"}.build()
	if err != nil {
		t.Fatal(err)
	}
	if p := b.primary.pool; p.MaxConns != 4 || p.MinConns != 2 {
		t.Errorf("pool_max_conns=4 pool_min_conns=2 gave max %d min %d", p.MaxConns, p.MinConns)
	}
	err = Config{ConnString: "postgres://app:pw@db1/app?pool_max_conns=many"}.Validate()
	if err == nil || !strings.Contains(err.Error(), "pool_max_conns") || strings.Contains(err.Error(), ":pw@") {
		t.Errorf("bad pool_max_conns: %v, want an error naming it without the password", err)
	}
}

func TestConfigFromEnv(t *testing.T) { // not parallel: Setenv
	t.Setenv("DATABASE_URL", "postgres://envuser@envhost:6543/envdb")
	t.Setenv("PGPASSWORD", trickyPassword)
	b, err := ConfigFromEnv().build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	cc := b.primary.pool.ConnConfig
	if cc.Host != "envhost" || cc.Port != 6543 || cc.User != "envuser" || cc.Database != "envdb" {
		t.Errorf("from DATABASE_URL: %s:%d user=%s db=%s", cc.Host, cc.Port, cc.User, cc.Database)
	}
	if cc.Password != trickyPassword {
		t.Errorf("PGPASSWORD not used: %q", cc.Password)
	}
}
