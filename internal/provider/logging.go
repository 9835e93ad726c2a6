package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogLogger adapts the client's Logger to tflog. Masks are applied on
// every call because each RPC brings a fresh context: masks set once during
// Configure would not reach later requests.
type tflogLogger struct {
	secrets []string // non-empty
}

// newTflogLogger masks the given secrets; empty ones (the credential kind
// not in use) are dropped here, once, rather than on every log call.
func newTflogLogger(secrets ...string) tflogLogger {
	var s []string
	for _, v := range secrets {
		if v != "" {
			s = append(s, v)
		}
	}
	return tflogLogger{secrets: s}
}

func (l tflogLogger) mask(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "authorization", "Authorization", "access_key", "accessKey", "bearer_token", "signature")
	if len(l.secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, l.secrets...)
		ctx = tflog.MaskMessageStrings(ctx, l.secrets...)
	}
	return ctx
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, fields)
}
