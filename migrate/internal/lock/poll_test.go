package lock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoffDoublesUpToMaxWait(t *testing.T) {
	t.Parallel()
	b := backoff{wait: MaxWait / 2}
	var got []time.Duration
	for range 2 {
		if err := b.sleep(context.Background()); err != nil {
			t.Fatal(err)
		}
		got = append(got, b.wait)
	}
	want := []time.Duration{MaxWait, MaxWait}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits after each sleep = %v, want %v", got, want)
		}
	}
}

func TestBackoffStartsAtFirstWait(t *testing.T) {
	t.Parallel()
	var b backoff
	if err := b.sleep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b.wait != 2*FirstWait {
		t.Fatalf("wait after the first sleep = %v, want %v", b.wait, 2*FirstWait)
	}
}

func TestBackoffStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := backoff{wait: time.Hour}
	start := time.Now()
	err := b.sleep(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if time.Since(start) > time.Minute {
		t.Fatal("sleep waited although ctx had ended")
	}
	if b.wait != time.Hour {
		t.Fatalf("wait = %v after a canceled sleep, want it unchanged", b.wait)
	}
}
