package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// baseBackup makes dir a standby's copy of from: standby.signal and a
// primary_conninfo naming from with the replica's application_name. It
// uses pg_basebackup -R when the server's binaries have it, and the
// low-level backup API (copyBackup) when they do not, as in the builds
// FetchServer fetches.
func (lc *localCluster) baseBackup(ctx context.Context, from *server, dir string) error {
	pgBaseBackup := filepath.Join(lc.bin, "pg_basebackup")
	if _, err := os.Stat(pgBaseBackup); err != nil {
		return lc.copyBackup(ctx, from, dir)
	}
	out, err := lc.run(ctx, pgBaseBackup,
		"-D", dir, "-R", "-X", "stream", "-c", "fast", "--no-sync",
		"-d", "application_name="+replicaAppName,
		"-h", lc.root, "-p", strconv.Itoa(from.port), "-U", superuser)
	if err != nil {
		return fmt.Errorf("pgtest: pg_basebackup of the %s: %w\n%s", from.name, err, out)
	}
	return nil
}

// copyBackup copies from's data directory into dir while from runs, with
// PostgreSQL's low-level backup API (non-exclusive, as the manual's
// "Making a Base Backup Using the Low Level API" describes): one session
// starts the backup, the files are copied, the same session stops it and
// returns the backup_label to write into the copy. The copy leaves out
// what the manual says to omit — WAL, replication slots, temporary and
// runtime state — so the standby streams the WAL from the backup's start
// (wal_keep_size holds it on the primary). While the backup runs the
// server writes full pages whatever full_page_writes says, so pages torn
// by the copy are repaired by replay.
func (lc *localCluster) copyBackup(ctx context.Context, from *server, dir string) (err error) {
	conn, err := pgx.Connect(ctx, lc.socketURL(from, "postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: back up the %s: %w", from.name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var num int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		return fmt.Errorf("pgtest: back up the %s: %w", from.name, err)
	}
	start := "SELECT pg_backup_start('pgtest', true)"
	stop := "SELECT labelfile, spcmapfile FROM pg_backup_stop(true)"
	if num < 150000 { // renamed in 15
		start = "SELECT pg_start_backup('pgtest', true, false)"
		stop = "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, true)"
	}
	if _, err := conn.Exec(ctx, start); err != nil {
		return fmt.Errorf("pgtest: back up the %s: start: %w", from.name, err)
	}
	copyErr := lc.copyDataDir(from.dataDir, dir)
	var label, spcmap string
	if err := conn.QueryRow(ctx, stop).Scan(&label, &spcmap); err != nil {
		return errors.Join(copyErr, fmt.Errorf("pgtest: back up the %s: stop: %w", from.name, err))
	}
	if copyErr != nil {
		return fmt.Errorf("pgtest: back up the %s: %w", from.name, copyErr)
	}
	conninfo := fmt.Sprintf("host=%s port=%d user=%s application_name=%s", lc.root, from.port, superuser, replicaAppName)
	files := map[string]string{
		"backup_label":   label,
		"standby.signal": "",
	}
	if spcmap != "" {
		files["tablespace_map"] = spcmap
	}
	for name, content := range files {
		if err := lc.writeOwned(filepath.Join(dir, name), content); err != nil {
			return err
		}
	}
	auto, err := os.OpenFile(filepath.Join(dir, "postgresql.auto.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgtest: back up the %s: %w", from.name, err)
	}
	_, werr := auto.WriteString("primary_conninfo = " + confQuote(conninfo) + "\n")
	return errors.Join(werr, auto.Close())
}

// backupOmits are the entries of a data directory a base backup leaves
// out: files that describe the running server, and directories whose
// contents are rebuilt or streamed (kept, empty).
var backupOmits = map[string]bool{
	"postmaster.pid": true, "postmaster.opts": true, "backup_label": true, "tablespace_map": true,
	"standby.signal": true, "recovery.signal": true,
}

var backupEmptied = map[string]bool{
	"pg_wal": true, "pg_replslot": true, "pg_dynshmem": true, "pg_notify": true, "pg_serial": true,
	"pg_snapshots": true, "pg_stat_tmp": true, "pg_subtrans": true,
}

// copyDataDir copies the running server's data directory src into dst,
// owned by the server user. A file that vanishes while the copy runs (a
// temporary file, a dropped relation) is skipped: replay recreates what
// the backup needs.
func (lc *localCluster) copyDataDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		top, _, nested := strings.Cut(filepath.ToSlash(rel), "/")
		if backupOmits[rel] || (nested && backupEmptied[top]) || strings.HasPrefix(d.Name(), "pgsql_tmp") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil {
				return err
			}
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
		case d.Type().IsRegular():
			if err := copyFile(path, target, info.Mode().Perm()); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
		default:
			return nil
		}
		return lc.user.ownLink(target)
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}

// writeOwned writes content to path, readable only by the server user.
func (lc *localCluster) writeOwned(path, content string) error {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		return fmt.Errorf("pgtest: write %s: %w", path, err)
	}
	return lc.user.own(path)
}
