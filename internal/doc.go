// Module github.com/normkit/norm/internal holds code that several norm
// modules share and that is no part of norm's public API. See package
// sqllex.
package internal
