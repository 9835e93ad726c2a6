package lmsim

import "encoding/json"

// logEntry is one request log line. It never holds a key, a bearer secret
// or a signature: only the access id, which LogicMonitor also shows.
type logEntry struct {
	Time     string `json:"time"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	Query    string `json:"query"`
	Status   int    `json:"status"`
	AccessID string `json:"accessId"`
	Fault    string `json:"fault,omitempty"`
}

func (s *Server) writeLog(e *logEntry) {
	if s.log == nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	b = append(b, '\n')
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = s.log.Write(b)
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	c := newStats()
	for k, v := range s.stats.Requests {
		c.Requests[k] = v
	}
	for k, v := range s.stats.Faults {
		c.Faults[k] = v
	}
	c.RateLimited, c.Total = s.stats.RateLimited, s.stats.Total
	return c
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.stats = newStats()
}

func (s *Server) count(f func(*Stats)) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	f(&s.stats)
}
