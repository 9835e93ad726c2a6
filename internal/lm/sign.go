package lm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// SignLMv1 returns the full Authorization header value for an LMv1 request.
//
// LogicMonitor base64-encodes the lowercase hex digest rather than the raw
// HMAC bytes; that quirk comes from its reference Python signer and a Go
// signer must copy it to be accepted. resourcePath excludes /santaba/rest and
// the query string, and body must be the exact bytes sent.
func SignLMv1(accessID, accessKey, method, resourcePath string, body []byte, epochMillis int64) string {
	ms := strconv.FormatInt(epochMillis, 10)
	mac := hmac.New(sha256.New, []byte(accessKey))
	mac.Write([]byte(method))
	mac.Write([]byte(ms))
	mac.Write(body)
	mac.Write([]byte(resourcePath))
	sig := base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
	return "LMv1 " + accessID + ":" + sig + ":" + ms
}

// EndpointKey names the bucket LogicMonitor rate-limits a request in: limits
// apply per method and endpoint, not per object, so numeric ids collapse to
// "{id}". The simulator keys its limits the same way.
func EndpointKey(method, resourcePath string) string {
	if i := strings.IndexByte(resourcePath, '?'); i >= 0 {
		resourcePath = resourcePath[:i]
	}
	segs := strings.Split(resourcePath, "/")
	for i, s := range segs {
		if s != "" && strings.Trim(s, "0123456789") == "" {
			segs[i] = "{id}"
		}
	}
	return strings.ToUpper(method) + " " + strings.Join(segs, "/")
}
