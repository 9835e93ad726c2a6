package lm

import (
	"context"
	"regexp"
	"strings"
)

// Logger receives the client's diagnostics. The provider wires it to tflog;
// the client never puts a secret in msg or fields, so the adapter needs no
// masking of its own.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// lmv1HeaderRE and bearerHeaderRE match Authorization values, should a server or proxy ever
// echo one back in an error message.
var (
	lmv1HeaderRE   = regexp.MustCompile(`(LMv1\s+[^\s:]+:)[A-Za-z0-9+/=]+`)
	bearerHeaderRE = regexp.MustCompile(`(Bearer\s+)\S+`)
)

// redact removes every secret the client holds, and those of the call
// (cl may be nil), from text that came from outside (server messages,
// transport errors) before it reaches an error or a log line.
func (c *Client) redact(s string, cl *call) string {
	secrets := []string{c.accessKey, c.bearer}
	if cl != nil {
		secrets = append(secrets, cl.secret)
	}
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	s = lmv1HeaderRE.ReplaceAllString(s, "${1}<redacted>")
	return bearerHeaderRE.ReplaceAllString(s, "${1}<redacted>")
}
