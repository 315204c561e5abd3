package notes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Step is one scripted request and its outcome.
type Step struct {
	// Name says what the step shows.
	Name string
	// Method and Path are the request; Tenant the caller (0: none).
	Method, Path string
	Tenant       int64
	// Want is the status the script expects; Status the one received.
	Want, Status int
	// ServedBy is the endpoint that answered a read (ServedByHeader).
	ServedBy string
	// Body is the response body.
	Body []byte
}

// OK reports whether the step got the status the script expected.
func (s Step) OK() bool { return s.Status == s.Want }

// Client is the scripted HTTP client. It keeps the latest write position
// (LSNHeader) and sends it with every request, so reads see its writes.
type Client struct {
	base  string
	http  *http.Client
	lsn   string
	Steps []Step
}

// NewClient returns a client for the service at base ("http://host:port").
func NewClient(base string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: base, http: hc}
}

// Do sends one request as tenant (0: no tenant header), records the step
// and decodes a JSON answer into out when out is non-nil and the status
// is the wanted one. Only transport and decoding failures are errors; an
// unexpected status is recorded in the step.
func (c *Client) Do(ctx context.Context, name, method, path string, tenant int64, body any, want int, out any) (Step, error) {
	st := Step{Name: name, Method: method, Path: path, Tenant: tenant, Want: want}
	req, err := c.request(ctx, method, path, tenant, body)
	if err != nil {
		return st, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return st, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if st.Body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20)); err != nil {
		return st, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	st.Status, st.ServedBy = resp.StatusCode, resp.Header.Get(ServedByHeader)
	if lsn := resp.Header.Get(LSNHeader); lsn != "" {
		c.lsn = lsn
	}
	c.Steps = append(c.Steps, st)
	if out != nil && st.OK() && len(st.Body) > 0 {
		if err := json.Unmarshal(st.Body, out); err != nil {
			return st, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return st, nil
}

func (c *Client) request(ctx context.Context, method, path string, tenant int64, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tenant != 0 {
		req.Header.Set(TenantHeader, strconv.FormatInt(tenant, 10))
	}
	if c.lsn != "" {
		req.Header.Set(LSNHeader, c.lsn)
	}
	return req, nil
}

// Failed returns the steps whose status was not the expected one.
func (c *Client) Failed() []Step {
	var bad []Step
	for _, s := range c.Steps {
		if !s.OK() {
			bad = append(bad, s)
		}
	}
	return bad
}
