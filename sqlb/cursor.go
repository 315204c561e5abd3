package sqlb

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// CursorCodec turns cursors into opaque, tamper-evident tokens for web APIs
// and back. A token is base64url(payload) "." base64url(HMAC-SHA256(key,
// payload)): a client cannot forge or alter one without the key, but can
// read it, so keep secrets out of sort keys. Values keep their Go type
// across the round trip for: nil, bool, all integer types (decoded as
// int64, or uint64 above its range), float32/64 (as float64), string,
// []byte, time.Time (nanosecond precision, location kept as offset),
// [16]byte (a UUID) and anything implementing driver.Valuer (encoded as
// its Value). A codec is safe for concurrent use.
type CursorCodec struct {
	key []byte
}

// MinCursorKeyLen is the shortest key NewCursorCodec accepts.
const MinCursorKeyLen = 16

// NewCursorCodec returns a codec signing with key (at least 16 bytes; use
// 32 random bytes kept in your secrets store).
func NewCursorCodec(key []byte) (*CursorCodec, error) {
	if len(key) < MinCursorKeyLen {
		return nil, errorf("NewCursorCodec", ErrInvalidValue, "key is %d bytes, want at least %d", len(key), MinCursorKeyLen)
	}
	return &CursorCodec{key: append([]byte(nil), key...)}, nil
}

type cursorJSON struct {
	Version int         `json:"n"`
	Keys    []string    `json:"k,omitempty"`
	Values  [][2]string `json:"v"`
}

// Encode returns the token for c.
func (cc *CursorCodec) Encode(c Cursor) (string, error) {
	p := cursorJSON{Version: 1, Keys: c.Keys, Values: make([][2]string, len(c.Values))}
	for i, v := range c.Values {
		tv, err := encodeCursorValue(v)
		if err != nil {
			return "", errorf("CursorCodec.Encode", ErrCursor, "value %d: %v", i+1, err)
		}
		p.Values[i] = tv
	}
	payload, err := json.Marshal(p)
	if err != nil {
		return "", errorf("CursorCodec.Encode", ErrCursor, "%v", err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(cc.mac(payload)), nil
}

// Decode checks a token's signature and returns its cursor. Any change to
// the token gives an error wrapping ErrCursor. An empty token gives the
// zero Cursor (the first page).
func (cc *CursorCodec) Decode(token string) (Cursor, error) {
	const op = "CursorCodec.Decode"
	if token == "" {
		return Cursor{}, nil
	}
	dot := bytes.IndexByte([]byte(token), '.')
	if dot < 0 {
		return Cursor{}, errorf(op, ErrCursor, "malformed token")
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(token[:dot])
	sig, err2 := enc.DecodeString(token[dot+1:])
	if err1 != nil || err2 != nil {
		return Cursor{}, errorf(op, ErrCursor, "malformed token")
	}
	if !hmac.Equal(sig, cc.mac(payload)) {
		return Cursor{}, errorf(op, ErrCursor, "bad signature")
	}
	var p cursorJSON
	if err := json.Unmarshal(payload, &p); err != nil || p.Version != 1 {
		return Cursor{}, errorf(op, ErrCursor, "bad payload")
	}
	c := Cursor{Keys: p.Keys, Values: make([]any, len(p.Values))}
	for i, tv := range p.Values {
		v, err := decodeCursorValue(tv)
		if err != nil {
			return Cursor{}, errorf(op, ErrCursor, "value %d: %v", i+1, err)
		}
		c.Values[i] = v
	}
	return c, nil
}

func (cc *CursorCodec) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, cc.key)
	h.Write([]byte("sqlb-cursor-v1\x00"))
	h.Write(payload)
	return h.Sum(nil)
}

func encodeCursorValue(v any) ([2]string, error) {
	switch x := v.(type) {
	case nil:
		return [2]string{"z", ""}, nil
	case bool:
		return [2]string{"b", strconv.FormatBool(x)}, nil
	case string:
		return [2]string{"s", x}, nil
	case []byte:
		return [2]string{"y", base64.StdEncoding.EncodeToString(x)}, nil
	case time.Time:
		return [2]string{"t", x.Format(time.RFC3339Nano)}, nil
	case *time.Time:
		if x == nil {
			return [2]string{"z", ""}, nil
		}
		return encodeCursorValue(*x)
	case [16]byte:
		return [2]string{"u", hex.EncodeToString(x[:])}, nil
	case float64:
		return [2]string{"f", strconv.FormatFloat(x, 'g', -1, 64)}, nil
	case float32:
		return [2]string{"f", strconv.FormatFloat(float64(x), 'g', -1, 32)}, nil
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return [2]string{}, err
		}
		return encodeCursorValue(dv)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return [2]string{"i", strconv.FormatInt(rv.Int(), 10)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return [2]string{"i", strconv.FormatUint(rv.Uint(), 10)}, nil
	case reflect.String:
		return [2]string{"s", rv.String()}, nil
	case reflect.Pointer:
		if rv.IsNil() {
			return [2]string{"z", ""}, nil
		}
		return encodeCursorValue(rv.Elem().Interface())
	}
	return [2]string{}, fmt.Errorf("unsupported cursor value type %T", v)
}

func decodeCursorValue(tv [2]string) (any, error) {
	s := tv[1]
	switch tv[0] {
	case "z":
		return nil, nil
	case "b":
		return strconv.ParseBool(s)
	case "s":
		return s, nil
	case "y":
		return base64.StdEncoding.DecodeString(s)
	case "t":
		return time.Parse(time.RFC3339Nano, s)
	case "u":
		var u [16]byte
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 16 {
			return nil, fmt.Errorf("bad uuid")
		}
		copy(u[:], b)
		return u, nil
	case "f":
		return strconv.ParseFloat(s, 64)
	case "i":
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		return strconv.ParseUint(s, 10, 64)
	}
	return nil, fmt.Errorf("unknown value tag %q", tv[0])
}
