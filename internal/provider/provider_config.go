package provider

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lmtf/terraform-provider-lm/internal/lm"
)

// envFirst returns the first non-empty environment variable among names.
func envFirst(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// pick returns the configured value when set, otherwise the environment's.
func pick(v types.String, env ...string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	return envFirst(env...)
}

// resolveBaseURL returns the API URL, and a hint for the errors that say
// its host does not exist or never answered: which settings made the URL,
// from the block or the environment, and the form it should have.
func resolveBaseURL(cfg providerModel, resp *provider.ConfigureResponse) (string, string, bool) {
	var raw, origin string
	attr := path.Root("base_url")
	company := func(name, from string) {
		domain, domainFrom := cfg.Domain.ValueString(), `in the provider "lm" block`
		if domain == "" {
			domain, domainFrom = os.Getenv("LM_DOMAIN"), "from LM_DOMAIN"
		}
		if domain == "" {
			domain, domainFrom = "logicmonitor.com", "the default"
		}
		raw = lm.BaseURL(name, domain)
		attr = path.Root("company")
		origin = fmt.Sprintf("company %q (%s) and domain %q (%s)", name, from, domain, domainFrom)
	}
	switch {
	case cfg.BaseURL.ValueString() != "":
		raw = cfg.BaseURL.ValueString()
		origin = `base_url in the provider "lm" block`
	case cfg.Company.ValueString() != "":
		company(cfg.Company.ValueString(), `in the provider "lm" block`)
	case os.Getenv("LM_BASE_URL") != "":
		raw = os.Getenv("LM_BASE_URL")
		origin = "the LM_BASE_URL environment variable"
	case os.Getenv("LM_COMPANY") != "":
		company(os.Getenv("LM_COMPANY"), "from LM_COMPANY")
	default:
		resp.Diagnostics.AddAttributeError(path.Root("company"), "Missing LogicMonitor portal",
			"Set company (or the LM_COMPANY environment variable) to your portal name, such as \"acme\" for "+
				"https://acme.logicmonitor.com, or base_url (LM_BASE_URL) to the full API URL.")
		return "", "", false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		resp.Diagnostics.AddAttributeError(attr, "Invalid LogicMonitor API URL",
			fmt.Sprintf("%q is not an absolute http(s) URL. Use a URL such as https://acme.logicmonitor.com/santaba/rest.", raw))
		return "", "", false
	}
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		resp.Diagnostics.AddAttributeError(attr, "Insecure LogicMonitor API URL",
			fmt.Sprintf("%q uses plain http: credentials would cross the network unencrypted. Use https; "+
				"plain http is accepted only for loopback hosts such as the bundled simulator.", raw))
		return "", "", false
	}
	raw = strings.TrimRight(raw, "/")
	hint := fmt.Sprintf("The API URL %s comes from %s. A LogicMonitor portal's API URL is "+
		"https://<company>.logicmonitor.com/santaba/rest (https://<company>.lmgov.us/santaba/rest in GovCloud), "+
		"where <company> is the first part of the address you sign in at: check the spelling, "+
		"or set base_url (LM_BASE_URL) to the full URL", raw, origin)
	return raw, hint, true
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// resolveCredentials applies "explicit configuration wins over the
// environment" per credential kind and reports half-given credentials once.
func resolveCredentials(cfg providerModel, out *lm.Config, resp *provider.ConfigureResponse) bool {
	cfgLMv1 := cfg.AccessID.ValueString() != "" || cfg.AccessKey.ValueString() != ""
	cfgBearer := cfg.BearerToken.ValueString() != ""
	switch {
	case cfgBearer:
		out.BearerToken = cfg.BearerToken.ValueString()
		return true
	case cfgLMv1:
		out.AccessID = pick(cfg.AccessID, "LM_ACCESS_ID", "LM_API_ID")
		out.AccessKey = pick(cfg.AccessKey, "LM_ACCESS_KEY", "LM_API_KEY")
	default:
		out.AccessID = envFirst("LM_ACCESS_ID", "LM_API_ID")
		out.AccessKey = envFirst("LM_ACCESS_KEY", "LM_API_KEY")
		if out.AccessID == "" && out.AccessKey == "" {
			if b := os.Getenv("LM_BEARER_TOKEN"); b != "" {
				out.BearerToken = b
				return true
			}
		} else if os.Getenv("LM_BEARER_TOKEN") != "" && out.AccessID != "" && out.AccessKey != "" {
			resp.Diagnostics.AddWarning("Both LMv1 and bearer credentials in the environment",
				"LM_ACCESS_ID/LM_ACCESS_KEY (or LM_API_ID/LM_API_KEY) and LM_BEARER_TOKEN are all set; "+
					"the provider uses the LMv1 pair. Unset one of them to silence this warning.")
		}
	}
	if out.AccessID != "" && out.AccessKey != "" {
		return true
	}
	missing := "access_id (LM_ACCESS_ID or LM_API_ID)"
	if out.AccessID != "" {
		missing = "access_key (LM_ACCESS_KEY or LM_API_KEY)"
	}
	if out.AccessID == "" && out.AccessKey == "" {
		resp.Diagnostics.AddError("Missing LogicMonitor credentials",
			"Set access_id and access_key (environment LM_ACCESS_ID and LM_ACCESS_KEY, or LM_API_ID and LM_API_KEY), "+
				"or bearer_token (LM_BEARER_TOKEN), in the provider \"lm\" block or the environment.")
		return false
	}
	resp.Diagnostics.AddError("Incomplete LMv1 credentials",
		"LMv1 authentication needs both access_id and access_key; "+missing+" is not set. "+
			"Set it in the provider \"lm\" block or the environment, or use bearer_token (LM_BEARER_TOKEN) instead.")
	return false
}
