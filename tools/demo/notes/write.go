package notes

import (
	"context"
	"net/http"

	"github.com/normkit/norm/pool"
)

// write runs fn in a transaction on the primary — as the request's tenant
// under AppRole when withTenant set one — and answers status with fn's
// result and the primary's WAL position after the commit in LSNHeader:
// the pool.Session the transaction ran with records it (when it cannot be
// read, the session holds the highest position, and the client's reads go
// to the primary until its next write).
func (s *Service) write(w http.ResponseWriter, r *http.Request, status int, fn func(ctx context.Context) (any, error)) {
	var out any
	session := new(pool.Session)
	err := s.db.InTx(pool.WithSession(r.Context(), session), func(ctx context.Context) error {
		var err error
		out, err = fn(ctx)
		return err
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set(LSNHeader, pool.FormatLSN(session.LSN()))
	if out == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, out)
}
