package versioned

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Checksums of SQL migrations, as stored in the history table's checksum
// column.
//
// The current format is "v2:" followed by the hex SHA-256 of the up file
// and the down file (see checksumV2), so editing either one after the
// version was applied is drift. The no-transaction directive is a comment
// in the file text, so it is covered as well.
//
// Before v2 the column held the bare hex SHA-256 of the up file alone.
// Such a value is still accepted when it matches the up file (an edit of
// the down file made before the upgrade cannot be seen), and Up, UpTo and
// Baseline (and Redo, which ends with UpTo) — commands that take the
// migration lock and write the history anyway — rewrite every such
// verified value to v2 in their first locked transaction. Status, Down,
// DownTo, Forget and dry runs never rewrite a checksum: they just accept a
// matching old value. A value that matches in neither format is drift.

// checksumV2Prefix prefixes checksums in the current format.
const checksumV2Prefix = "v2:"

// checksumV2 returns the v2 checksum of a SQL migration from the raw
// bytes of its files (BOM and line endings included). down is nil when
// the version has no down file. Each part is framed by a label and its
// length, so moving text from one file to the other, or adding an empty
// down file, changes the checksum too.
func checksumV2(up string, down *string) string {
	h := sha256.New()
	frame := func(label, body string) {
		_, _ = h.Write([]byte(label + " " + strconv.Itoa(len(body)) + "\n"))
		_, _ = h.Write([]byte(body))
		_, _ = h.Write([]byte("\n"))
	}
	_, _ = h.Write([]byte("norm migration checksum v2\n"))
	frame("up", up)
	if down != nil {
		frame("down", *down)
	} else {
		_, _ = h.Write([]byte("no down\n"))
	}
	return checksumV2Prefix + hex.EncodeToString(h.Sum(nil))
}

// checksumV1 returns the checksum format written before v2: the
// hex SHA-256 of the up file alone, no prefix.
func checksumV1(up string) string {
	sum := sha256.Sum256([]byte(up))
	return hex.EncodeToString(sum[:])
}

// checksumVerdict is the result of checking a stored checksum against a
// migration's files.
type checksumVerdict int

const (
	checksumDiffers checksumVerdict = iota // drift
	checksumCurrent                        // equal to Migration.Checksum
	checksumLegacy                         // an old-format value that matches the up file
)

// checksumMatch checks the checksum stored for m. Go migrations have none
// and always match.
func (m *Migration) checksumMatch(stored string) checksumVerdict {
	switch {
	case m.Kind != KindSQL || stored == m.Checksum:
		return checksumCurrent
	case m.legacyChecksum != "" && stored == m.legacyChecksum: // plain hex, never "v2:"
		return checksumLegacy
	}
	return checksumDiffers
}

// upgradeChecksums rewrites the old-format checksums of rows that still
// match their files to the v2 format in the table (rows, as read, still
// hold the old values, which match as well). Call it in a transaction
// holding the migration lock; a row whose value changed meanwhile is left
// alone.
func (mg *Migrator) upgradeChecksums(ctx context.Context, tx pgx.Tx, rows []historyRow) error {
	for _, r := range rows {
		m := mg.find(r.Version)
		if m == nil || r.Dirty || m.checksumMatch(r.Checksum) != checksumLegacy {
			continue
		}
		if err := mg.hist.setChecksum(ctx, tx, r.Version, r.Checksum, m.Checksum); err != nil {
			return err
		}
	}
	return nil
}
