package notes

import (
	"net/http"

	"github.com/normkit/norm/observe"
)

// Handler returns the service's HTTP API:
//
//	POST   /tenants                 create a tenant (operator)
//	POST   /users                   create a user in the caller's tenant
//	POST   /notes                   create a note
//	GET    /notes?page=&limit=      keyset page of notes, newest first
//	GET    /notes/{id}              a note with its comments
//	PUT    /notes/{id}              update; 409 when the version is stale
//	DELETE /notes/{id}              soft delete
//	POST   /notes/{id}/restore      undo a soft delete
//	POST   /notes/{id}/comments     add a comment
//	GET    /search?q=               title search (deliberately slow)
//	GET    /internal/debug/vars     metrics (expvar), /internal/healthz
//	GET    /readyz                  pool health report (primary, replica, lag)
//
// Tenant routes need TenantHeader; reads report ServedByHeader.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tenants", s.createTenant)
	mux.HandleFunc("POST /users", withTenant(s.createUser))
	mux.HandleFunc("POST /notes", withTenant(s.createNote))
	mux.HandleFunc("GET /notes", withTenant(s.listNotes))
	mux.HandleFunc("GET /notes/{id}", withTenant(s.getNote))
	mux.HandleFunc("PUT /notes/{id}", withTenant(s.updateNote))
	mux.HandleFunc("DELETE /notes/{id}", withTenant(s.deleteNote))
	mux.HandleFunc("POST /notes/{id}/restore", withTenant(s.restoreNote))
	mux.HandleFunc("POST /notes/{id}/comments", withTenant(s.createComment))
	mux.HandleFunc("GET /search", withTenant(s.search))
	mux.Handle("GET /readyz", s.db.HealthHandler())
	mux.Handle("/internal/", http.StripPrefix("/internal", observe.Handler(observe.HandlerConfig{
		Health: s.db.Ping,
	})))
	return mux
}
