package notes

import (
	"context"
	"net/http"
)

// noteUpdate is the body of PUT /notes/{id}: the new text and the version
// the client read.
type noteUpdate struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	Version int    `json:"version"`
}

// updateNote handles PUT /notes/{id}; a version other than the stored one
// is a lost update and answers 409.
func (s *Service) updateNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	var in noteUpdate
	if err := readJSON(r, &in); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if in.Title == "" {
		writeError(w, http.StatusBadRequest, errEmpty)
		return
	}
	s.write(w, r, http.StatusOK, func(ctx context.Context) (any, error) {
		n, err := s.notes.FindByID(ctx, id)
		if err != nil {
			return nil, err
		}
		n.Title, n.Body, n.Version = in.Title, in.Body, in.Version
		return n, s.notes.Update(ctx, n)
	})
}

// deleteNote handles DELETE /notes/{id}: a soft delete.
func (s *Service) deleteNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.write(w, r, http.StatusNoContent, func(ctx context.Context) (any, error) {
		n, err := s.notes.FindByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return nil, s.notes.Delete(ctx, n)
	})
}

// restoreNote handles POST /notes/{id}/restore.
func (s *Service) restoreNote(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	s.write(w, r, http.StatusOK, func(ctx context.Context) (any, error) {
		n, err := s.notes.OnlyTrashed().FindByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return n, s.notes.Restore(ctx, n)
	})
}

// createComment handles POST /notes/{id}/comments {"body": …}.
func (s *Service) createComment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	var c Comment
	if err := readJSON(r, &c); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if c.Body == "" {
		writeError(w, http.StatusBadRequest, errEmpty)
		return
	}
	s.write(w, r, http.StatusCreated, func(ctx context.Context) (any, error) {
		if _, err := s.notes.FindByID(ctx, id); err != nil { // visible to this tenant?
			return nil, err
		}
		c.ID, c.TenantID, c.NoteID = 0, tenantOf(ctx), id
		return &c, s.comments.Create(ctx, &c)
	})
}
