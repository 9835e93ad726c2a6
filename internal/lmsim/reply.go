package lmsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error answer: LogicMonitor's ErrorResponse in v2/v3,
// the envelope's status and errmsg in v1.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

type errorResponse struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorCode    int    `json:"errorCode"`
	ErrorDetail  any    `json:"errorDetail"`
}

// envelope wraps every API v1 answer.
type envelope struct {
	Status int    `json:"status"`
	Errmsg string `json:"errmsg"`
	Data   any    `json:"data"`
}

// apiVersion1 reports whether the request asked for API v1, which is what
// LogicMonitor assumes when X-Version is missing.
func apiVersion1(r *http.Request) bool {
	v := strings.TrimSpace(r.Header.Get("X-Version"))
	return v == "" || v == "1"
}

// gatewayReply answers in front of the API (faults, the rate limiter,
// paths outside it): always LogicMonitor's ErrorResponse with the real HTTP
// status, whatever the API version. UNCONFIRMED for v1 callers.
func gatewayReply(w http.ResponseWriter, e *apiError) int {
	return writeJSON(w, e.status, v3Body(e))
}

func (s *Server) replyStatus(w http.ResponseWriter, r *http.Request, status int, payload any) int {
	if apiVersion1(r) {
		// UNCONFIRMED: API v1 answers HTTP 200 and carries the real status
		// in the envelope. A client that forgets X-Version gets this shape
		// and breaks here as it would against LogicMonitor.
		env := envelope{Status: status, Errmsg: "OK", Data: payload}
		if e, ok := payload.(*apiError); ok {
			env.Errmsg, env.Data = e.message, nil
		}
		return writeJSON(w, http.StatusOK, env)
	}
	return writeJSON(w, status, v3Body(payload))
}

func v3Body(payload any) any {
	if e, ok := payload.(*apiError); ok {
		return errorResponse{ErrorMessage: e.message, ErrorCode: e.status + 1000}
	}
	return payload
}

func writeJSON(w http.ResponseWriter, status int, v any) int {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// LogicMonitor does not escape <, > and &; messages such as
	// "User <131> is not found" must read the same.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		fmt.Fprintf(&buf, `{"errorMessage":"encoding the answer failed","errorCode":1500,"errorDetail":null}`+"\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return status
}
