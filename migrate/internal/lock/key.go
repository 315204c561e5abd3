package lock

// Key is the advisory lock key every migrator takes (pg_advisory_xact_lock
// for transactional work, pg_advisory_lock for non-transactional steps).
// It is the first 8 bytes of sha256("norm/migrate") read as a big-endian
// int64; it must never change, or migrators of two releases would run at
// once.
const Key int64 = 0x0c2892c4e283c317 // 876111501835092759
