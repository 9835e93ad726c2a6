package lmsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxSkew is how far an LMv1 timestamp may be from the server's clock.
const maxSkew = 30 * time.Minute

// principal is who a request authenticated as.
type principal struct {
	// accessID is the claimed LMv1 access id, or the bearer token's access
	// id once found: the one credential part safe to log.
	accessID string
	tokenID  int32
	adminID  int32
	username string
	admin    bool
}

// Sign returns the LMv1 Authorization header value for a request, as
// LogicMonitor's documented Python example computes it. resourcePath is the
// path after /santaba/rest, without the query.
func Sign(accessID, accessKey, method, resourcePath string, body []byte, epochMillis int64) string {
	ms := strconv.FormatInt(epochMillis, 10)
	return "LMv1 " + accessID + ":" + signature(accessKey, method, ms, body, resourcePath) + ":" + ms
}

func signature(key, method, ms string, body []byte, resourcePath string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(method + ms))
	mac.Write(body)
	mac.Write([]byte(resourcePath))
	// LogicMonitor base64-encodes the lowercase hex digest, not the raw MAC.
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
}

// unknownKey stands in for the key of an access id that does not exist, so
// that a miss costs the same HMAC as a hit.
const unknownKey = "lmsim-no-such-access-id-0000000000000000"

// claimedAccessID is the access id an LMv1 header names, checked or not.
func claimedAccessID(r *http.Request) string {
	cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "LMv1 ")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(cred, ":")
	return id
}

func authFailed() *apiError {
	return errorf(http.StatusUnauthorized, "Authentication failed")
}

// Authorization schemes the simulator accepts.
const (
	schemeLMv1   = "LMv1"
	schemeBearer = "Bearer"
)

// authHeader is a parsed Authorization header: LMv1's access id, signature
// and timestamp, or a bearer token. It holds secrets (the signature, the
// token): never log it.
type authHeader struct {
	scheme      string // schemeLMv1 or schemeBearer
	accessID    string
	signature   string
	epochMillis int64
	bearer      string
}

// parseAuthorization reads "LMv1 <accessId>:<signature>:<epochMillis>" or
// "Bearer <token>". Its errors are for tests and never reach the client,
// which only learns that authentication failed; they hold no secret.
func parseAuthorization(h string) (authHeader, error) {
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case scheme == schemeLMv1:
		parts := strings.Split(cred, ":")
		if len(parts) != 3 {
			return authHeader{}, errors.New("LMv1 credentials are not <accessId>:<signature>:<epochMillis>")
		}
		if parts[0] == "" || parts[1] == "" {
			return authHeader{}, errors.New("LMv1 credentials have an empty access id or signature")
		}
		ms, err := parseEpochMillis(parts[2])
		if err != nil {
			return authHeader{}, err
		}
		return authHeader{scheme: schemeLMv1, accessID: parts[0], signature: parts[1], epochMillis: ms}, nil
	case strings.EqualFold(scheme, schemeBearer):
		token := strings.TrimSpace(cred)
		if token == "" {
			return authHeader{}, errors.New("bearer token is empty")
		}
		return authHeader{scheme: schemeBearer, bearer: token}, nil
	}
	return authHeader{}, errors.New("authorization scheme is neither LMv1 nor Bearer")
}

// parseEpochMillis reads an LMv1 timestamp as LogicMonitor's documented
// signer writes it: decimal digits, no sign, no leading zero. The signature
// covers the timestamp's text, so strconv.ParseInt alone would let a client
// sign "+1700000000000" or "01700000000000" and pass here. UNCONFIRMED
// whether LogicMonitor is this strict; no correct client is affected.
func parseEpochMillis(s string) (int64, error) {
	digits := s != "" && strings.Trim(s, "0123456789") == "" && (s == "0" || s[0] != '0')
	if ms, err := strconv.ParseInt(s, 10, 64); digits && err == nil {
		return ms, nil
	}
	return 0, errors.New("LMv1 timestamp is not milliseconds since 1970 in decimal digits")
}

// format writes h as a header: for LMv1 exactly the one it was parsed
// from; for a bearer token "Bearer <token>" (the scheme's case and the
// blanks around the token are not kept).
func (h authHeader) format() string {
	if h.scheme == schemeBearer {
		return schemeBearer + " " + h.bearer
	}
	return schemeLMv1 + " " + h.accessID + ":" + h.signature + ":" + strconv.FormatInt(h.epochMillis, 10)
}

// verify reports whether an LMv1 header's signature is the one key gives
// for the request, in constant time.
func (h authHeader) verify(key, method, resourcePath string, body []byte) bool {
	want := signature(key, method, strconv.FormatInt(h.epochMillis, 10), body, resourcePath)
	return h.scheme == schemeLMv1 && hmac.Equal([]byte(want), []byte(h.signature))
}

// authenticate checks the Authorization header and, on success, records
// the token's lastUsedOn and lastAuthIp. Every failure gets the same
// answer, as LogicMonitor gives no hint of which part was wrong.
func (s *Server) authenticate(r *http.Request, resourcePath string, body []byte) (principal, *apiError) {
	var p principal
	h, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return p, authFailed()
	}
	st := s.store
	switch h.scheme {
	case schemeLMv1:
		p.accessID = h.accessID
		st.mu.Lock()
		tid, found := st.byAccessID[h.accessID]
		key := unknownKey
		if t := st.tokens[tid]; found && !t.Bearer() {
			key = t.AccessKey
		} else {
			found = false
		}
		st.mu.Unlock()
		if !h.verify(key, r.Method, resourcePath, body) || !found {
			return p, authFailed()
		}
		if skew := s.clock().Sub(time.UnixMilli(h.epochMillis)); skew > maxSkew || skew < -maxSkew {
			return p, authFailed()
		}
		p.tokenID = tid
	case schemeBearer:
		st.mu.Lock()
		tid, found := st.byBearer[sha256.Sum256([]byte(h.bearer))]
		key := unknownKey
		if found {
			key = st.tokens[tid].AccessKey
			p.accessID = st.tokens[tid].AccessID
		}
		st.mu.Unlock()
		if !hmac.Equal([]byte(key), []byte(h.bearer)) || !found {
			return p, authFailed()
		}
		p.tokenID = tid
	}

	st.mu.Lock()
	defer st.mu.Unlock()
	// Re-read under the lock: the token or its user may have changed while
	// the signature was being checked.
	t, ok := st.tokens[p.tokenID]
	if !ok || t.Status != StatusEnabled {
		return p, authFailed()
	}
	a, ok := st.admins[t.AdminID]
	if !ok || a.Status != AdminActive {
		return p, authFailed()
	}
	t.LastUsedOn = s.clock().Unix()
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		t.LastAuthIP = host
	} else {
		t.LastAuthIP = r.RemoteAddr
	}
	// Marked dirty, not persisted: writing the file on every read would
	// make the state file the bottleneck. Close or the next change saves it.
	st.dirty = true
	p.adminID, p.username, p.admin = a.ID, a.Username, st.isAdministrator(a)
	return p, nil
}
