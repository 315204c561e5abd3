package notes

import (
	"context"
	"errors"
	"net/http"
)

// errEmpty is returned for a required field left empty.
var errEmpty = errors.New("a required field is empty")

// createTenant handles POST /tenants {"name": …}.
func (s *Service) createTenant(w http.ResponseWriter, r *http.Request) {
	var t Tenant
	if err := readJSON(r, &t); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if t.Name == "" {
		writeError(w, http.StatusBadRequest, errEmpty)
		return
	}
	s.write(w, r, http.StatusCreated, func(ctx context.Context) (any, error) {
		t.ID = 0
		return &t, s.tenants.Create(ctx, &t)
	})
}

// createUser handles POST /users {"email": …, "name": …}.
func (s *Service) createUser(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := readJSON(r, &u); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if u.Email == "" || u.Name == "" {
		writeError(w, http.StatusBadRequest, errEmpty)
		return
	}
	s.write(w, r, http.StatusCreated, func(ctx context.Context) (any, error) {
		u.ID, u.TenantID = 0, tenantOf(ctx)
		return &u, s.users.Create(ctx, &u)
	})
}
