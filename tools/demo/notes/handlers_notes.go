package notes

import (
	"context"
	"net/http"
	"strconv"

	"github.com/normkit/norm/sqlb"
)

// notePage is the body of GET /notes.
type notePage struct {
	Items []Note `json:"items"`
	Next  string `json:"next,omitempty"`
}

// maxPage bounds ?limit.
const maxPage = 100

// createNote handles POST /notes {"author_id", "title", "body"}.
func (s *Service) createNote(w http.ResponseWriter, r *http.Request) {
	var n Note
	if err := readJSON(r, &n); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if n.Title == "" || n.AuthorID <= 0 {
		writeError(w, http.StatusBadRequest, errEmpty)
		return
	}
	s.write(w, r, http.StatusCreated, func(ctx context.Context) (any, error) {
		n.ID, n.TenantID, n.Version, n.DeletedAt, n.Comments = 0, tenantOf(ctx), 0, nil, nil
		return &n, s.notes.Create(ctx, &n)
	})
}

// getNote handles GET /notes/{id}: the note and its comments (one
// preload query), from a replica when it has the client's last write.
func (s *Service) getNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.readJSON(w, r, func(ctx context.Context) (any, error) {
		note, err := s.notes.FindByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return note, s.notes.Load(ctx, note, "Comments")
	})
}

// listNotes handles GET /notes?page=token&limit=n: a keyset page, newest
// first.
func (s *Service) listNotes(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			writeError(w, http.StatusBadRequest, errBadLimit)
			return
		}
		limit = n
	}
	token := r.URL.Query().Get("page")
	s.readJSON(w, r, func(ctx context.Context) (any, error) {
		page, err := s.notes.Query().OrderBy(sqlb.Desc("created_at")).Cursor(ctx, s.codec, token, limit)
		if err != nil {
			return nil, err
		}
		return notePage{Items: page.Items, Next: page.Next}, nil
	})
}

// readJSON answers a read run by s.read with its result and the endpoint
// that served it. fn's ctx carries the read-only transaction.
func (s *Service) readJSON(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context) (any, error)) {
	lsn, err := minLSN(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	var out any
	served, err := s.read(r.Context(), lsn, func(ctx context.Context) error {
		var err error
		out, err = fn(ctx)
		return err
	})
	if served != "" {
		w.Header().Set(ServedByHeader, served)
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
