package notes

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

// maxBody bounds request bodies.
const maxBody = 1 << 16

// errBadLSN is returned for a malformed LSNHeader.
var errBadLSN = errors.New("malformed " + LSNHeader + " header")

// errBadLimit is returned for a limit outside 1..maxPage.
var errBadLimit = fmt.Errorf("limit must be between 1 and %d", maxPage)

// errBadID is returned for a path id that is not a positive integer.
var errBadID = errors.New("id must be a positive integer")

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// readJSON decodes the request body into v, refusing unknown fields.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad request body: %w", err)
	}
	return nil
}

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errBadID
	}
	return id, nil
}

// minLSN returns the client's read-your-writes position (0 when it sent
// none), parsed from its text form (pool.ParseLSN).
func minLSN(r *http.Request) (uint64, error) {
	v := r.Header.Get(LSNHeader)
	if v == "" {
		return 0, nil
	}
	lsn, err := pool.ParseLSN(v)
	if err != nil {
		return 0, errBadLSN
	}
	return lsn, nil
}

// statusOf maps an error to its HTTP status; messages of 5xx errors are
// not shown to the client.
func statusOf(err error) int {
	var ce *repo.ConstraintError
	switch {
	case errors.Is(err, repo.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, repo.ErrStale):
		return http.StatusConflict
	case errors.Is(err, repo.ErrInvalid), errors.Is(err, sqlb.ErrCursor):
		return http.StatusBadRequest
	case errors.As(err, &ce):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// fail writes err with its status; internal errors are recorded in the
// service's error log and answered without detail.
func (s *Service) fail(w http.ResponseWriter, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		_, _ = fmt.Fprintln(s.errs, err.Error())
		err = errors.New("internal error")
	}
	writeError(w, status, err)
}
