package notes

import (
	"context"
	"net/http"
)

// write runs fn in a transaction on the primary — as the request's tenant
// under AppRole when withTenant set one — and answers status with fn's
// result and the primary's WAL position in LSNHeader.
func (s *Service) write(w http.ResponseWriter, r *http.Request, status int, fn func(ctx context.Context) (any, error)) {
	var out any
	err := s.db.InTx(r.Context(), func(ctx context.Context) error {
		var err error
		out, err = fn(ctx)
		return err
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	lsn, err := s.currentLSN(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set(LSNHeader, lsn)
	if out == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}
