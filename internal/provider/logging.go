package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogLogger adapts the client's Logger to tflog. Masks are applied on
// every call because each RPC brings a fresh context: masks set once during
// Configure would not reach later requests.
type tflogLogger struct {
	secrets []string
}

func (l tflogLogger) mask(ctx context.Context) context.Context {
	var s []string
	for _, v := range l.secrets {
		if v != "" {
			s = append(s, v)
		}
	}
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "authorization", "Authorization", "access_key", "accessKey", "bearer_token", "signature")
	if len(s) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, s...)
		ctx = tflog.MaskMessageStrings(ctx, s...)
	}
	return ctx
}

func (l tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, fields)
}

func (l tflogLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, fields)
}
