package serve

import (
	"maps"
	"testing"
)

func TestQuietLogs(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER_LM": "OFF"}
	for _, tc := range []struct {
		environ []string
		want    map[string]string
	}{
		{[]string{"PATH=/bin", "HOME=/root", "TF_CLI_CONFIG_FILE=/x", "TF_PLUGIN_MAGIC_COOKIE=abc"}, off},
		{[]string{"TF_LOG="}, off}, // empty is unset for Terraform too
		{[]string{"TF_LOG=TRACE"}, nil},
		{[]string{"TF_LOG=DEBUG"}, nil},
		{[]string{"TF_LOG_PROVIDER=WARN"}, nil},
		{[]string{"TF_LOG_PROVIDER_LM=DEBUG"}, nil},
		{[]string{"TF_LOG_SDK_PROTO=TRACE"}, nil},
		{[]string{"TF_LOG_PATH=/tmp/log"}, nil},
		{[]string{"TF_LOGGING=1"}, off}, // not a TF_LOG variable
	} {
		got := map[string]string{}
		quiet := QuietLogs("registry.terraform.io/lmtf/lm", tc.environ, func(k, v string) error { got[k] = v; return nil })
		if quiet != (tc.want != nil) || !maps.Equal(got, tc.want) {
			t.Errorf("environ %v: quiet %v, set %v; want %v", tc.environ, quiet, got, tc.want)
		}
	}
	if got := providerLogEnv("registry.terraform.io/acme/my-thing"); got != "TF_LOG_PROVIDER_MY_THING" {
		t.Errorf("providerLogEnv: %s", got)
	}
}
