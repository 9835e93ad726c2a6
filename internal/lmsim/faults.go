package lmsim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults are the probabilities (0..1) of misbehavior injected before a
// /santaba/rest call is answered. The kinds exclude one another: one draw
// per request picks at most one, so their sum must not exceed 1.
type Faults struct {
	// Err5xx answers 500, 502 or 503 without running the handler.
	Err5xx float64
	// Err429 answers 429 as if the rate limit were hit.
	Err429 float64
	// Reset closes the connection before the handler runs.
	Reset float64
	// Drop runs the handler (its change is committed) and then closes the
	// connection instead of answering: the client cannot tell whether its
	// write happened, which is what retries and create-idempotency must
	// survive.
	Drop float64
	// LatencyMin..LatencyMax is added to every call, uniformly drawn.
	LatencyMin, LatencyMax time.Duration
}

// Fault kinds, as they appear in the request log and Stats.Faults.
const (
	Fault5xx   = "5xx"
	Fault429   = "429"
	FaultReset = "reset"
	FaultDrop  = "drop"
)

// ParseFaults reads the --faults form:
// "5xx=0.1,429=0.05,reset=0.02,drop=0.02,latency=5ms-50ms" ("" or "off":
// none). A single latency value means a fixed delay.
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "off") || strings.EqualFold(spec, "none") {
		return f, nil
	}
	for _, part := range strings.Split(spec, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		if !ok {
			return Faults{}, fmt.Errorf("fault %q: want KIND=VALUE", part)
		}
		if key == "latency" {
			loText, hiText, isRange := strings.Cut(val, "-")
			lo, err1 := time.ParseDuration(loText)
			hi := lo
			var err2 error
			if isRange {
				hi, err2 = time.ParseDuration(hiText)
			}
			if err1 != nil || err2 != nil || lo < 0 || hi < lo {
				return Faults{}, fmt.Errorf("fault %q: latency must be a duration or a range such as 5ms-50ms", part)
			}
			f.LatencyMin, f.LatencyMax = lo, hi
			continue
		}
		p, err := strconv.ParseFloat(val, 64)
		if err != nil || p < 0 || p > 1 {
			return Faults{}, fmt.Errorf("fault %q: probability must be a number between 0 and 1", part)
		}
		switch key {
		case Fault5xx:
			f.Err5xx = p
		case Fault429:
			f.Err429 = p
		case FaultReset:
			f.Reset = p
		case FaultDrop:
			f.Drop = p
		default:
			return Faults{}, fmt.Errorf("fault %q: kind must be one of 5xx, 429, reset, drop, latency", part)
		}
	}
	if err := f.validate(); err != nil {
		return Faults{}, err
	}
	return f, nil
}

func (f Faults) validate() error {
	if sum := f.Err5xx + f.Err429 + f.Reset + f.Drop; sum > 1+1e-9 {
		return fmt.Errorf("fault probabilities add up to %g, more than 1", sum)
	}
	if f.LatencyMin < 0 || f.LatencyMax < f.LatencyMin {
		return fmt.Errorf("latency range %s-%s is invalid", f.LatencyMin, f.LatencyMax)
	}
	return nil
}

// String renders the faults in the form ParseFaults reads.
func (f Faults) String() string {
	var parts []string
	add := func(k string, p float64) {
		if p > 0 {
			parts = append(parts, k+"="+strconv.FormatFloat(p, 'g', -1, 64))
		}
	}
	add(Fault5xx, f.Err5xx)
	add(Fault429, f.Err429)
	add(FaultReset, f.Reset)
	add(FaultDrop, f.Drop)
	if f.LatencyMax > 0 {
		parts = append(parts, fmt.Sprintf("latency=%s-%s", f.LatencyMin, f.LatencyMax))
	}
	if len(parts) == 0 {
		return "off"
	}
	return strings.Join(parts, ",")
}

// injector draws faults from one seeded source behind a mutex, so that a
// sequential client sees the same faults on every run with the same seed.
type injector struct {
	mu      sync.Mutex
	rng     *rand.Rand
	faults  Faults
	strange []Strange
}

func newInjector(f Faults, seed int64) *injector {
	if seed == 0 {
		seed = rand.Int64() //nolint:gosec // G404: faults need a reproducible source, not a secret one
	}
	//nolint:gosec // G404, G115: a seeded PCG is the point; any int64 bit pattern is a fine seed
	return &injector{rng: rand.New(rand.NewPCG(uint64(seed), 0x6c6d73696d)), faults: f}
}

func (in *injector) set(f Faults) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.faults = f
}

// decision is what happens to one request: a delay, a fault kind ("" for
// none) and, for 5xx, the status.
type decision struct {
	latency time.Duration
	fault   string
	status  int
}

func (in *injector) draw() decision {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.faults
	var d decision
	if f.LatencyMax > 0 {
		d.latency = f.LatencyMin
		if span := f.LatencyMax - f.LatencyMin; span > 0 {
			d.latency += time.Duration(in.rng.Int64N(int64(span) + 1))
		}
	}
	if f.Err5xx+f.Err429+f.Reset+f.Drop <= 0 {
		return d
	}
	u := in.rng.Float64()
	switch {
	case u < f.Reset:
		d.fault = FaultReset
	case u < f.Reset+f.Err5xx:
		d.fault = Fault5xx
		d.status = [...]int{500, 502, 503}[in.rng.IntN(3)]
	case u < f.Reset+f.Err5xx+f.Err429:
		d.fault = Fault429
	case u < f.Reset+f.Err5xx+f.Err429+f.Drop:
		d.fault = FaultDrop
	}
	return d
}

// Strange answer shapes: what something that is not LogicMonitor's REST API
// v3 answers with HTTP 200 (a corporate proxy's sign-in page, a gateway,
// an endpoint of another API version). The client must take each for an
// error, never for an empty list or a deleted object.
const (
	// StrangeEnvelope is LogicMonitor's API v1/v2 error envelope.
	StrangeEnvelope = "envelope"
	// StrangeEmpty is an empty JSON object.
	StrangeEmpty = "empty"
	// StrangeNullItems is a list answer whose items are null.
	StrangeNullItems = "null-items"
	// StrangeHTML is a proxy's sign-in page, as text/html.
	StrangeHTML = "html"
	// StrangeTruncated runs the call and answers the first half of its
	// real answer, with its real status.
	StrangeTruncated = "truncated"
)

// StrangeShapes lists the shapes, in the order the docs give them.
var StrangeShapes = []string{StrangeEnvelope, StrangeEmpty, StrangeNullItems, StrangeHTML, StrangeTruncated}

// strangeBodies are the answers of the fixed shapes.
var strangeBodies = map[string]struct{ ctype, body string }{
	StrangeEnvelope:  {"application/json", `{"status":1069,"errmsg":"No such record","data":null}`},
	StrangeEmpty:     {"application/json", `{}`},
	StrangeNullItems: {"application/json", `{"total":3,"items":null}`},
	StrangeHTML: {"text/html; charset=utf-8", "<!DOCTYPE html>\n<html>\n<head><title>Sign in - Example Corp web proxy</title></head>\n" +
		"<body><h1>Sign in to continue</h1><form method=\"post\" action=\"/login\"><input name=\"user\"></form></body>\n</html>\n"},
}

// Strange answers Shape, in place of the API's answer, to requests whose
// resource path (after /santaba/rest) matches Path, a path.Match pattern
// such as /setting/admins/*/apitokens (`*` does not cross a `/`), and
// whose method is Method ("" for any). Unlike Faults it strikes every
// matching request, so that a test can drive one call through it.
type Strange struct {
	Shape  string
	Method string
	Path   string
}

func (st Strange) String() string {
	if st.Method != "" {
		return st.Shape + "=" + st.Method + ":" + st.Path
	}
	return st.Shape + "=" + st.Path
}

func (st Strange) validate() error {
	if _, ok := strangeBodies[st.Shape]; !ok && st.Shape != StrangeTruncated {
		return fmt.Errorf("strange answer %q: shape must be one of %s", st.Shape, strings.Join(StrangeShapes, ", "))
	}
	if !strings.HasPrefix(st.Path, "/") {
		return fmt.Errorf("strange answer %s: the path must be a resource path such as /setting/roles/*", st)
	}
	if _, err := path.Match(st.Path, ""); err != nil {
		return fmt.Errorf("strange answer %s: %w", st, err)
	}
	if st.Method != "" && st.Method != strings.ToUpper(st.Method) {
		return fmt.Errorf("strange answer %s: the method must be upper case", st)
	}
	return nil
}

func (st Strange) matches(method, resourcePath string) bool {
	if st.Method != "" && st.Method != method {
		return false
	}
	ok, _ := path.Match(st.Path, resourcePath)
	return ok
}

// ParseStrange reads the --strange form: "SHAPE=[METHOD:]PATH,...", such
// as "html=/setting/roles/*,envelope=GET:/setting/admins/*/apitokens"
// ("" or "off": none).
func ParseStrange(spec string) ([]Strange, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "off") || strings.EqualFold(spec, "none") {
		return nil, nil
	}
	var out []Strange
	for _, part := range strings.Split(spec, ",") {
		shape, target, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("strange answer %q: want SHAPE=[METHOD:]PATH", part)
		}
		st := Strange{Shape: strings.ToLower(strings.TrimSpace(shape)), Path: strings.TrimSpace(target)}
		if m, p, ok := strings.Cut(st.Path, ":"); ok {
			st.Method, st.Path = strings.TrimSpace(m), strings.TrimSpace(p)
		}
		if err := st.validate(); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// FormatStrange renders rules in the form ParseStrange reads.
func FormatStrange(rules []Strange) string {
	if len(rules) == 0 {
		return "off"
	}
	parts := make([]string, len(rules))
	for i, st := range rules {
		parts[i] = st.String()
	}
	return strings.Join(parts, ",")
}

// SetStrange replaces the strange answers given from now on (nil: none).
func (s *Server) SetStrange(rules ...Strange) error {
	for _, st := range rules {
		if err := st.validate(); err != nil {
			return err
		}
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.strange = append([]Strange(nil), rules...)
	return nil
}

// strangeFor is the shape to answer a request with, or "".
func (in *injector) strangeFor(method, resourcePath string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, st := range in.strange {
		if st.matches(method, resourcePath) {
			return st.Shape
		}
	}
	return ""
}

// answerStrange answers with shape instead of the API. It stands in
// front of the API as a proxy would: only the truncated shape lets the
// call run, since it cuts the real answer.
func (s *Server) answerStrange(w http.ResponseWriter, r *http.Request, resourcePath, shape string, entry *logEntry) int {
	if shape != StrangeTruncated {
		b := strangeBodies[shape]
		w.Header().Set("Content-Type", b.ctype)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(b.body))
		return http.StatusOK
	}
	rec := &recorder{header: http.Header{}}
	gateway, status, payload := s.serveAPI(rec, r, resourcePath, entry)
	if e, ok := payload.(*apiError); ok && gateway {
		status = gatewayReply(rec, e)
	} else {
		status = s.replyStatus(rec, r, status, payload)
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	body := bytes.TrimSpace(rec.body.Bytes())
	_, _ = w.Write(body[:len(body)/2])
	return status
}

// recorder keeps an answer to send it changed.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
