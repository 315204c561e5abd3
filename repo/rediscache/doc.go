// Package rediscache is a repo.Cache on Redis (github.com/redis/go-redis/v9),
// shared by every instance of a service. It is a module of its own so that
// users of repo who do not use Redis do not pull its client.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	rc := rediscache.New(rdb, rediscache.Options{})
//	cache, err := rediscache.For[User](rc)
//	users, err := repo.New[User](db, repo.WithCache(lis.Guard(cache), time.Minute))
//
// Values: the model's columns (sqlb model metadata of T) in column order,
// each encoded with encoding/json, as one JSON array, behind an 8-byte
// fingerprint of the column names and Go types. Why: it stores exactly
// what FindByID read (the columns), never pointers (a pointer field is its
// value or null) and never type descriptors (gob writes a description of
// the type with every value, several times the size of a small row); it
// ignores the struct's json tags (a field tagged json:"-" is still
// cached); an entry written by another version of the struct, during a
// rolling deploy, has another fingerprint and is a miss, never a wrong
// decode; and redis-cli shows it readably. Times come back with the same
// instant, in a fixed zone (compare them with Equal). A value that JSON
// cannot carry (a NaN float) is not cached: OnError is told and reads go
// to the database.
//
// Redis is never the source of truth: every Redis error (and an entry that
// cannot be decoded) is a cache miss or a skipped write, reported to
// Options.OnError and counted in Stats, never a failed read. Each call
// waits at most Options.Timeout for Redis. A failed delete leaves an entry
// that only its TTL removes: keep TTLs short, watch OnError.
//
// A shared cache has a race that one process does not: instance A deletes
// the key after its commit, while instance B is filling the old row it read
// just before that commit. So Delete does not remove a key: it leaves a
// tombstone for Options.DeleteHold (one second), which Get reads as a miss
// and which a fill cannot replace, since Set is SET NX. B's late fill
// fails, for any read shorter than DeleteHold; with repo's Listener
// guarding the cache, B's listener also evicts the key when told of A's
// commit. Deletes are pipelined, one command per key in one round trip,
// so they work on Redis Cluster too (a multi-key command fails across
// hash slots). Flush (used by repo's Listener on each reconnection) SCANs
// the namespace and UNLINKs what it finds.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod; CI builds
// and tests it with that release). It requires go-redis v9.22: v9.23
// raised go-redis's own go line to 1.26; a consumer on Go 1.26 may
// upgrade it.
package rediscache
