package notes

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/normkit/norm/pool"
)

// SearchTerm is what the script searches for; the slow-query log must
// show it masked, never in clear.
const SearchTerm = "Quarterly"

// SecretBody starts every note body; the audit log must never show it.
const SecretBody = "Confidential agenda: "

// Transcript holds what the scripted client learned, beyond each step's
// status (Client.Steps).
type Transcript struct {
	// Acme and Globex are the two tenants' ids.
	Acme, Globex int64
	// AcmeNotes are Acme's note ids in creation order; GlobexNote is
	// Globex's only note.
	AcmeNotes  []int64
	GlobexNote int64
	// Versions are the notes' versions as created.
	Versions map[int64]int
	// Comments is how many comments GET /notes/{id} preloaded.
	Comments int
	// Pages are the titles of each keyset page, in order.
	Pages [][]string
	// Metrics is the expvar variable ExpvarName as served.
	Metrics []byte
	// Health is the pool's readiness report (GET /readyz).
	Health pool.HealthReport
}

// acmeTitles are the notes the script writes for Acme.
var acmeTitles = []string{"Quarterly plan", "Hiring", "Offsite", "Budget", "Roadmap"}

// Script plays the demo's requests against the service through c. It
// returns an error only when the conversation cannot go on (transport
// failures, a missing id); unexpected statuses are recorded in c.Steps.
func Script(ctx context.Context, c *Client) (*Transcript, error) {
	t := &Transcript{Versions: map[int64]int{}}
	for _, part := range []func(context.Context, *Client, *Transcript) error{
		setup, readBack, walkPages, optimisticLock, softDelete, isolation, slowSearch, metrics,
	} {
		if err := part(ctx, c, t); err != nil {
			return t, err
		}
	}
	return t, nil
}

// setup creates two tenants, a user in each and their notes.
func setup(ctx context.Context, c *Client, t *Transcript) error {
	var acme, globex Tenant
	if _, err := c.Do(ctx, "create tenant Acme", "POST", "/tenants", 0, Tenant{Name: "Acme"}, http.StatusCreated, &acme); err != nil {
		return err
	}
	if _, err := c.Do(ctx, "create tenant Globex", "POST", "/tenants", 0, Tenant{Name: "Globex"}, http.StatusCreated, &globex); err != nil {
		return err
	}
	if acme.ID == 0 || globex.ID == 0 {
		return fmt.Errorf("notes: script: tenants were not created")
	}
	t.Acme, t.Globex = acme.ID, globex.ID
	var ada, bob User
	if _, err := c.Do(ctx, "create user in Acme", "POST", "/users", t.Acme, User{Email: "ada@acme.test", Name: "Ada"}, http.StatusCreated, &ada); err != nil {
		return err
	}
	if _, err := c.Do(ctx, "create user in Globex", "POST", "/users", t.Globex, User{Email: "bob@globex.test", Name: "Bob"}, http.StatusCreated, &bob); err != nil {
		return err
	}
	for _, title := range acmeTitles {
		var n Note
		if _, err := c.Do(ctx, "create note in Acme", "POST", "/notes", t.Acme, Note{AuthorID: ada.ID, Title: title, Body: SecretBody + title}, http.StatusCreated, &n); err != nil {
			return err
		}
		t.AcmeNotes = append(t.AcmeNotes, n.ID)
		t.Versions[n.ID] = n.Version
	}
	var g Note
	if _, err := c.Do(ctx, "create note in Globex", "POST", "/notes", t.Globex, Note{AuthorID: bob.ID, Title: "Globex secrets", Body: "…"}, http.StatusCreated, &g); err != nil {
		return err
	}
	t.GlobexNote = g.ID
	if len(t.AcmeNotes) != len(acmeTitles) || t.AcmeNotes[0] == 0 || g.ID == 0 {
		return fmt.Errorf("notes: script: notes were not created")
	}
	return nil
}

// readBack comments on the first note and reads it with its comments.
func readBack(ctx context.Context, c *Client, t *Transcript) error {
	path := fmt.Sprintf("/notes/%d", t.AcmeNotes[0])
	for _, body := range []string{"Looks good", "Ship it"} {
		if _, err := c.Do(ctx, "comment on a note", "POST", path+"/comments", t.Acme, Comment{Body: body}, http.StatusCreated, nil); err != nil {
			return err
		}
	}
	var n Note
	if _, err := c.Do(ctx, "read note with comments (preload)", "GET", path, t.Acme, nil, http.StatusOK, &n); err != nil {
		return err
	}
	t.Comments = len(n.Comments)
	return nil
}

// walkPages reads Acme's notes two at a time by keyset tokens.
func walkPages(ctx context.Context, c *Client, t *Transcript) error {
	token := ""
	for range len(acmeTitles) + 1 {
		var page notePage
		path := "/notes?limit=2&page=" + url.QueryEscape(token)
		if _, err := c.Do(ctx, "keyset page", "GET", path, t.Acme, nil, http.StatusOK, &page); err != nil {
			return err
		}
		titles := make([]string, len(page.Items))
		for i, n := range page.Items {
			titles[i] = n.Title
		}
		t.Pages = append(t.Pages, titles)
		if page.Next == "" {
			return nil
		}
		token = page.Next
	}
	return fmt.Errorf("notes: script: keyset walk did not end")
}

// optimisticLock updates a note twice from the version it was created
// with: the second writer read the same version and must get 409.
func optimisticLock(ctx context.Context, c *Client, t *Transcript) error {
	id := t.AcmeNotes[1]
	path := fmt.Sprintf("/notes/%d", id)
	first := noteUpdate{Title: "Hiring (2 roles)", Body: SecretBody + "two roles", Version: t.Versions[id]}
	if _, err := c.Do(ctx, "update at the version read", "PUT", path, t.Acme, first, http.StatusOK, nil); err != nil {
		return err
	}
	second := noteUpdate{Title: "Hiring (3 roles)", Body: SecretBody + "three roles", Version: t.Versions[id]}
	_, err := c.Do(ctx, "stale update at the same version", "PUT", path, t.Acme, second, http.StatusConflict, nil)
	return err
}

// softDelete deletes a note, reads it (404), restores and reads it again.
func softDelete(ctx context.Context, c *Client, t *Transcript) error {
	path := fmt.Sprintf("/notes/%d", t.AcmeNotes[2])
	steps := []struct {
		name, method, path string
		want               int
	}{
		{"soft delete", "DELETE", path, http.StatusNoContent},
		{"read deleted note", "GET", path, http.StatusNotFound},
		{"restore", "POST", path + "/restore", http.StatusOK},
		{"read restored note", "GET", path, http.StatusOK},
	}
	for _, s := range steps {
		if _, err := c.Do(ctx, s.name, s.method, s.path, t.Acme, nil, s.want, nil); err != nil {
			return err
		}
	}
	return nil
}

// isolation has each tenant try the other's note.
func isolation(ctx context.Context, c *Client, t *Transcript) error {
	if _, err := c.Do(ctx, "Globex reads Acme's note", "GET", fmt.Sprintf("/notes/%d", t.AcmeNotes[0]), t.Globex, nil, http.StatusNotFound, nil); err != nil {
		return err
	}
	if _, err := c.Do(ctx, "Globex updates Acme's note", "PUT", fmt.Sprintf("/notes/%d", t.AcmeNotes[0]), t.Globex,
		noteUpdate{Title: "pwned", Version: 1}, http.StatusNotFound, nil); err != nil {
		return err
	}
	_, err := c.Do(ctx, "Acme reads Globex's note", "GET", fmt.Sprintf("/notes/%d", t.GlobexNote), t.Acme, nil, http.StatusNotFound, nil)
	return err
}

// slowSearch runs the deliberately slow search.
func slowSearch(ctx context.Context, c *Client, t *Transcript) error {
	_, err := c.Do(ctx, "slow search", "GET", "/search?q="+url.QueryEscape(SearchTerm), t.Acme, nil, http.StatusOK, nil)
	return err
}

// metrics asks for the pool's readiness report, then fetches the expvar
// page and keeps the service's variable.
func metrics(ctx context.Context, c *Client, t *Transcript) error {
	if _, err := c.Do(ctx, "pool readiness", "GET", "/readyz", 0, nil, http.StatusOK, &t.Health); err != nil {
		return err
	}
	var vars map[string]json.RawMessage
	if _, err := c.Do(ctx, "metrics page", "GET", "/internal/debug/vars", 0, nil, http.StatusOK, &vars); err != nil {
		return err
	}
	t.Metrics = vars[ExpvarName]
	return nil
}
