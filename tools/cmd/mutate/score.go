package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"sort"
)

// gremlinsOutput is the part of gremlins' -o JSON file that is read.
type gremlinsOutput struct {
	Files []struct {
		Name      string `json:"file_name"` // relative to the directory gremlins ran on
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// mutant is one mutant of a run and what became of it.
type mutant struct {
	Key    mutantKey
	Status string // gremlins' status: KILLED, LIVED, TIMED OUT, NOT COVERED, NOT VIABLE, SKIPPED
	// Recheck is gremlins' status when mutate tested the mutant again
	// (recheck.go), Status then being that run's verdict; Detail says why.
	Recheck string
	Detail  string
}

// parseGremlins reads gremlins' JSON output of a run on directory dir
// (relative to the repository root) and returns its mutants with paths
// relative to the root.
func parseGremlins(r io.Reader, dir string) ([]mutant, error) {
	var out gremlinsOutput
	if err := json.NewDecoder(r).Decode(&out); err != nil {
		return nil, fmt.Errorf("gremlins output: %w", err)
	}
	var ms []mutant
	for _, f := range out.Files {
		name := path.Join(dir, f.Name)
		for _, m := range f.Mutations {
			ms = append(ms, mutant{Key: mutantKey{File: name, Line: m.Line, Column: m.Column, Mutator: m.Type}, Status: m.Status})
		}
	}
	return ms, nil
}

// fileScore is one row of the table.
type fileScore struct {
	File       string
	Killed     int
	Lived      int // not ignored
	TimedOut   int // not ignored
	NotCovered int // not ignored
	NotViable  int // mutants that do not compile: not counted
	Rechecked  int // of Killed: timed out or not covered in gremlins' run, killed when mutate tested them again
	ByHand     int // of Killed: not killed by gremlins, seen killed by hand (ignore list's killed:)
	Ignored    int // not killed, and equivalent by the ignore list
	Missing    bool
}

// viable is the denominator of the score: every mutant that compiled,
// less the reviewed equivalent ones. A timed-out mutant counts as not
// killed (on a busy machine a slow run is not evidence of a kill) until
// mutate's own test run of it (recheck.go) kills it.
func (s fileScore) viable() int { return s.Killed + s.Lived + s.TimedOut + s.NotCovered }

// Score is killed / (viable − ignored) in percent; 100 when nothing is viable.
func (s fileScore) Score() float64 {
	if s.viable() == 0 {
		return 100
	}
	return 100 * float64(s.Killed) / float64(s.viable())
}

// report is the outcome of a whole run.
type report struct {
	Rows      []fileScore
	Survivors []mutant      // not killed and not ignored, in file and line order
	Stale     []ignoreEntry // ignore entries that match no surviving mutant
	Killed    []ignoreEntry // equivalent or not-viable entries whose mutant was killed: wrong
	Redundant []ignoreEntry // killed entries whose mutant gremlins killed too this run
}

// score builds the table for files from the mutants of every run and the
// ignore list. Mutants of files not listed are left out.
func score(files []string, missing map[string]bool, ms []mutant, ignore []ignoreEntry) report {
	ign := map[mutantKey]ignoreEntry{}
	for _, e := range ignore {
		ign[e.Key] = e
	}
	used := map[mutantKey]bool{}
	rows := map[string]*fileScore{}
	var rep report
	for _, f := range files {
		rows[f] = &fileScore{File: f, Missing: missing[f]}
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i].Key, ms[j].Key
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Mutator < b.Mutator
	})
	for _, m := range ms {
		row := rows[m.Key.File]
		if row == nil {
			continue
		}
		e, ignored := ign[m.Key]
		switch m.Status {
		case "KILLED":
			row.Killed++
			if m.Recheck != "" {
				row.Rechecked++
			}
			if ignored {
				used[m.Key] = true
				if e.Kind == "killed" {
					rep.Redundant = append(rep.Redundant, e)
				} else {
					rep.Killed = append(rep.Killed, e)
				}
			}
			continue
		case "NOT VIABLE", "SKIPPED":
			row.NotViable++
			continue
		}
		if ignored {
			used[m.Key] = true
			switch e.Kind {
			case "killed":
				row.Killed++
				row.ByHand++
			case "not-viable":
				row.NotViable++
			default:
				row.Ignored++
			}
			continue
		}
		switch m.Status {
		case "LIVED":
			row.Lived++
		case "TIMED OUT":
			row.TimedOut++
		default: // NOT COVERED, and RUNNABLE should a run be cut short
			row.NotCovered++
		}
		rep.Survivors = append(rep.Survivors, m)
	}
	for _, e := range ignore {
		if row := rows[e.Key.File]; row != nil && !row.Missing && !used[e.Key] {
			rep.Stale = append(rep.Stale, e)
		}
	}
	for _, f := range files {
		rep.Rows = append(rep.Rows, *rows[f])
	}
	return rep
}

// print writes the table, the survivors and the problems of the ignore
// list; it returns the files under minScore percent (or missing).
func (rep report) print(w io.Writer, minScore float64) (below []string) {
	width := len("file")
	for _, r := range rep.Rows {
		width = max(width, len(r.File))
	}
	fmt.Fprintf(w, "%-*s %7s %9s %8s %6s %9s %11s %10s %10s %7s\n", width, "file", "killed", "rechecked", "by hand", "lived", "timed out", "not covered", "not viable", "equivalent", "score")
	var total fileScore
	for _, r := range rep.Rows {
		if r.Missing {
			fmt.Fprintf(w, "%-*s %s\n", width, r.File, "missing: not found, fix .mutate/files.txt")
			below = append(below, r.File)
			continue
		}
		mark := ""
		if r.Score() < minScore {
			mark = fmt.Sprintf("  < %g %%", minScore)
			below = append(below, r.File)
		}
		fmt.Fprintf(w, "%-*s %7d %9d %8d %6d %9d %11d %10d %10d %6.1f%%%s\n", width, r.File, r.Killed, r.Rechecked, r.ByHand, r.Lived, r.TimedOut, r.NotCovered, r.NotViable, r.Ignored, r.Score(), mark)
		total.Killed += r.Killed
		total.Lived += r.Lived
		total.TimedOut += r.TimedOut
		total.NotCovered += r.NotCovered
		total.NotViable += r.NotViable
		total.Rechecked += r.Rechecked
		total.ByHand += r.ByHand
		total.Ignored += r.Ignored
	}
	fmt.Fprintf(w, "%-*s %7d %9d %8d %6d %9d %11d %10d %10d %6.1f%%\n", width, "total", total.Killed, total.Rechecked, total.ByHand, total.Lived, total.TimedOut, total.NotCovered, total.NotViable, total.Ignored, total.Score())
	if len(rep.Survivors) > 0 {
		fmt.Fprintf(w, "\nnot killed (add a test that fails on it, or an entry with a reason to .mutate/ignore.txt):\n")
		for _, m := range rep.Survivors {
			if m.Recheck != "" {
				fmt.Fprintf(w, "  %s  %s (%s in gremlins' run, tested again)\n", m.Key, m.Status, m.Recheck)
				continue
			}
			fmt.Fprintf(w, "  %s  %s\n", m.Key, m.Status)
		}
	}
	for _, e := range rep.Killed {
		fmt.Fprintf(w, "ignore list line %d: %s was killed, so it is not %s: remove the entry\n", e.Line, e.Key, e.Kind)
	}
	for _, e := range rep.Redundant {
		fmt.Fprintf(w, "ignore list line %d: %s was killed by gremlins too this run (the entry may go, unless it times out on a busier run)\n", e.Line, e.Key)
	}
	for _, e := range rep.Stale {
		fmt.Fprintf(w, "ignore list line %d: %s matches no mutant of this run (the code moved?)\n", e.Line, e.Key)
	}
	return below
}
