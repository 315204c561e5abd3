package pgtest

import "encoding/binary"

// PostgreSQL frontend/backend protocol framing, as much of it as the fault
// proxy needs to find where a statement's result begins and where the
// server is ready again.
//
// A connection starts with untyped client messages (int32 length including
// itself, int32 code, payload). An SSLRequest or GSSENCRequest is answered
// by the server with one byte: 'N' (go on in plain text: the client sends
// its next startup message) or 'S'/'G' (encryption starts: the proxy can no
// longer read the stream). Every other message, in either direction, is
// typed: one type byte, then an int32 length including itself.

const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102
)

// startupScanner follows the client's untyped startup messages.
type startupScanner struct {
	hdr    [8]byte
	hdrN   int
	remain int
	done   bool // the startup message (or a cancel request) went by: no more untyped messages
}

// scan consumes b and calls onRequest for every complete SSLRequest or
// GSSENCRequest, before the bytes that end it are forwarded. Bytes after
// the startup message are ignored.
func (s *startupScanner) scan(b []byte, onRequest func()) {
	for len(b) > 0 && !s.done {
		if s.remain > 0 {
			n := min(s.remain, len(b))
			s.remain -= n
			b = b[n:]
			if s.remain == 0 {
				s.done = true // only the startup message has a payload
			}
			continue
		}
		n := copy(s.hdr[s.hdrN:], b)
		s.hdrN += n
		b = b[n:]
		if s.hdrN < len(s.hdr) {
			return
		}
		s.hdrN = 0
		length := int(binary.BigEndian.Uint32(s.hdr[0:4]))
		code := binary.BigEndian.Uint32(s.hdr[4:8])
		switch {
		case code == codeSSLRequest || code == codeGSSENCRequest:
			onRequest()
		case length > len(s.hdr):
			s.remain = length - len(s.hdr)
		default:
			s.done = true // a cancel request or a malformed message: stop following
		}
	}
}

// resultStart reports whether a backend message of type typ begins the
// answer to an executed statement: rows, its completion, or its error.
func resultStart(typ byte) bool {
	switch typ {
	case 'D', 'C', 'I', 's', 'E':
		return true
	}
	return false
}

// replyFilter follows the server's typed messages and withholds a
// statement's result when told to. It is used by one goroutine.
type replyFilter struct {
	hdr     [5]byte
	hdrN    int
	typ     byte
	remain  int
	ready   bool // the server sent its first ReadyForQuery: startup is over
	drop    bool // withholding everything until ReadyForQuery
	blind   bool // encrypted or unparseable stream: pass bytes through
	pending bool // the next byte answers an SSLRequest or GSSENCRequest
}

// filter returns the part of b to forward to the client. lose is asked, at
// the first result message of a statement after startup, whether this
// result is to be lost. done is true when the withheld result ended with
// ReadyForQuery: the connection must be closed and nothing more forwarded.
func (f *replyFilter) filter(b []byte, lose func() bool) (out []byte, done bool) {
	if f.blind {
		return b, false
	}
	out = b[:0:0]
	for len(b) > 0 {
		if f.pending && f.hdrN == 0 && f.remain == 0 {
			f.pending = false
			switch b[0] {
			case 'N':
				out = append(out, b[0])
				b = b[1:]
				continue
			case 'S', 'G':
				f.blind = true
				return append(out, b...), false
			}
			// anything else (an ErrorResponse from the server) is typed
		}
		if f.remain > 0 {
			n := min(f.remain, len(b))
			if !f.drop {
				out = append(out, b[:n]...)
			}
			f.remain -= n
			b = b[n:]
			if f.remain == 0 && f.messageEnd() {
				return out, true
			}
			continue
		}
		n := copy(f.hdr[f.hdrN:], b)
		f.hdrN += n
		b = b[n:]
		if f.hdrN < len(f.hdr) {
			return out, false // a split header is held until it is whole
		}
		f.hdrN = 0
		f.typ = f.hdr[0]
		length := int(binary.BigEndian.Uint32(f.hdr[1:5]))
		if length < 4 {
			f.blind = true // not a stream the filter understands
			if !f.drop {
				out = append(out, f.hdr[:]...)
			}
			return append(out, b...), false
		}
		if !f.drop && f.ready && resultStart(f.typ) && lose() {
			f.drop = true
		}
		if !f.drop {
			out = append(out, f.hdr[:]...)
		}
		f.remain = length - 4
		if f.remain == 0 && f.messageEnd() {
			return out, true
		}
	}
	return out, false
}

// messageEnd is called when a whole message went by; it reports whether a
// withheld result is complete.
func (f *replyFilter) messageEnd() bool {
	if f.typ != 'Z' {
		return false
	}
	f.ready = true
	return f.drop
}
