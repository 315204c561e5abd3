package notes

import (
	"context"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
)

// searchDelay makes every search slower than Config.SlowThreshold's
// default (100ms), so the demo has a slow-query log line to show.
const searchDelay = 0.15 // seconds

// errNoQuery is returned for a search without ?q.
var errNoQuery = errors.New("missing q")

// searchSQL finds notes whose title contains $1; pg_sleep($2) stands in
// for an expensive plan.
const searchSQL = `SELECT n.id, n.title FROM notes n, pg_sleep($2)
WHERE n.deleted_at IS NULL AND strpos(lower(n.title), lower($1)) > 0 ORDER BY n.id`

// searchHit is one search result.
type searchHit struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// search handles GET /search?q=: titles containing q.
func (s *Service) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if q == "" {
		writeError(w, http.StatusBadRequest, errNoQuery)
		return
	}
	s.readJSON(w, r, func(ctx context.Context) (any, error) {
		rows, err := s.db.Query(ctx, searchSQL, q, searchDelay)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowToStructByPos[searchHit])
	})
}
