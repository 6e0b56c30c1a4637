package httpapi

import (
	"crypto/rand"
	_ "embed"
	"encoding/hex"
)

// openAPIJSON is the API's OpenAPI 3 description, generated from the route table by
// TestOpenAPIGolden (kept true there; regenerate with -update).
//
//go:embed openapi.json
var openAPIJSON []byte

// identityID makes a request id: 16 random bytes in hex.
func identityID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
