package observe

import "context"

type endpointKey struct{}

type fieldsKey struct{}

// Field is a key and value that log observers add to every line written
// for calls made with a context carrying it. Fields are written in clear
// text: put identifiers in them (request, user, tenant), never secrets.
type Field struct {
	Key   string
	Value any
}

// fieldList is an immutable linked list so that adding a field never
// copies or mutates what a parent context holds.
type fieldList struct {
	Field
	next *fieldList
}

// CorrelationIDKey is the field key used by WithCorrelationID.
const CorrelationIDKey = "correlation_id"

// WithEndpoint returns a context that marks calls made with it as going to
// the named endpoint, typically "primary" or "replica". It overrides the
// tracer's Config.Endpoint.
func WithEndpoint(ctx context.Context, endpoint string) context.Context {
	return context.WithValue(ctx, endpointKey{}, endpoint)
}

// EndpointFrom returns the endpoint set by WithEndpoint, or "".
func EndpointFrom(ctx context.Context) string {
	s, _ := ctx.Value(endpointKey{}).(string)
	return s
}

// WithCorrelationID returns a context whose calls are logged with the field
// correlation_id=id.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return WithFields(ctx, Field{Key: CorrelationIDKey, Value: id})
}

// WithFields returns a context whose calls are logged with the given fields
// in addition to those already in ctx. A later field with the same key is
// written after the earlier one; log readers usually keep the last.
func WithFields(ctx context.Context, fields ...Field) context.Context {
	if len(fields) == 0 {
		return ctx
	}
	head, _ := ctx.Value(fieldsKey{}).(*fieldList)
	for _, f := range fields {
		head = &fieldList{Field: f, next: head}
	}
	return context.WithValue(ctx, fieldsKey{}, head)
}

// Fields returns the fields attached to ctx with WithFields and
// WithCorrelationID, oldest first.
func Fields(ctx context.Context) []Field {
	head, _ := ctx.Value(fieldsKey{}).(*fieldList)
	var out []Field
	for f := head; f != nil; f = f.next {
		out = append(out, f.Field)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
