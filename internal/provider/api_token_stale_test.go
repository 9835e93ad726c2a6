package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lmtf/terraform-provider-lm/internal/acctest"
	"github.com/lmtf/terraform-provider-lm/internal/clock"
	"github.com/lmtf/terraform-provider-lm/internal/lm"
	"github.com/lmtf/terraform-provider-lm/internal/lmsim"
	"github.com/lmtf/terraform-provider-lm/internal/provider"
)

// staleEnv is the simulator's default fixture seen from 2026-01-01 (the
// provider's injected clock), plus a token made by the test:
//
//	100   created 2023-11-14, used now (the provider authenticates with it)
//	101   created 2025-01-01, last used 2025-12-01
//	146   created 2023-11-14, last used 2024-01-01
//	150   created 2024-06-01, never used
//	young created now, never used
//
// The stale-key filters and what they must select, by token id.
type staleEnv struct {
	e     *acctest.Env
	clk   *clock.Fixed
	young int64
}

func newStaleEnv(t *testing.T) staleEnv {
	acctest.SkipOnRealPortalBecause(t, "needs the simulator's fixture tokens, whose creation and last use lie in the past")
	e := acctest.New(t)
	clk := &clock.Fixed{}
	clk.Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	young := e.CreateToken(t, e.AdminID, lm.CreateAPITokenRequest{Note: acctest.Note("young, never used"), Enabled: true})
	return staleEnv{e: e, clk: clk, young: int64(young.ID)}
}

// staleFilters are the queries both surfaces run: the lines of their
// configuration, and the ids each selects before and after the seed's
// token 146 authenticates.
func (s staleEnv) staleFilters() []staleQuery {
	admin, bearer := int64(lmsim.DefaultAdminTokenID), int64(lmsim.DefaultAdminBearerTokenID)
	seed, auditor := int64(lmsim.SeedTokenID), int64(lmsim.DefaultReadOnlyTokenID)
	return []staleQuery{
		{name: "idle_90d", config: `unused_for = "2160h"`, before: []int64{seed, auditor}, after: []int64{auditor}},
		{name: "never_used", config: `never_used = true`, before: []int64{auditor, s.young}, after: []int64{auditor, s.young}},
		{name: "used", config: `never_used = false`, before: []int64{admin, bearer, seed}, after: []int64{admin, bearer, seed}},
		// The bearer token was created at the cutoff itself: "before" is strict.
		{name: "old", config: `created_before = "2025-01-01T00:00:00Z"`, before: []int64{admin, seed, auditor}, after: []int64{admin, seed, auditor}},
		{name: "idle_since_2025", config: "not_used_since = \"2025-01-01T00:00:00Z\"\n    type = \"lmv1\"", before: []int64{seed, auditor}, after: []int64{auditor}},
		{name: "old_never_used", config: "never_used = true\n    created_before = \"2025-01-01T00:00:00Z\"", before: []int64{auditor}, after: []int64{auditor}},
	}
}

type staleQuery struct {
	name, config  string
	before, after []int64
}

// useSeedToken authenticates once with token 146, whose lastUsedOn the
// simulator then sets to now.
func (s staleEnv) useSeedToken(t *testing.T) func() {
	return func() {
		seed := s.e.As(t, acctest.SeedAccessID, acctest.SeedAccessKey)
		if _, err := seed.Client.GetAdmin(context.Background(), lmsim.SeedAdminID); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAccAPITokens_stale: the lm_api_tokens data source's stale-key
// filters against tokens used recently, long ago and never, young and
// old; a use moves a token out of the idle ones.
func TestAccAPITokens_stale(t *testing.T) {
	s := newStaleEnv(t)
	cfg := s.e.ProviderBlock("")
	for _, q := range s.staleFilters() {
		cfg += fmt.Sprintf("data \"lm_api_tokens\" %q {\n    %s\n}\n", q.name, q.config)
	}
	checks := func(after bool) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for _, q := range s.staleFilters() {
			want := q.before
			if after {
				want = q.after
			}
			var ids []knownvalue.Check
			for _, id := range want {
				ids = append(ids, knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(fmt.Sprint(id))}))
			}
			out = append(out, statecheck.ExpectKnownValue("data.lm_api_tokens."+q.name, tfjsonpath.New("tokens"), knownvalue.ListExact(ids)))
		}
		return out
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(provider.WithClock(s.clk)),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: checks(false)},
			{PreConfig: s.useSeedToken(t), Config: cfg, ConfigStateChecks: checks(true)},
		},
	})
}

// TestAccAPITokenList_stale: the same filters on the lm_api_token list
// resource (`terraform query`, Terraform 1.14+).
func TestAccAPITokenList_stale(t *testing.T) {
	s := newStaleEnv(t)
	cfg := s.e.ProviderBlock("")
	for _, q := range s.staleFilters() {
		cfg += fmt.Sprintf("list \"lm_api_token\" %q {\n  provider = lm\n  config {\n    %s\n  }\n}\n", q.name, q.config)
	}
	checks := func(after bool) []querycheck.QueryResultCheck {
		var out []querycheck.QueryResultCheck
		for _, q := range s.staleFilters() {
			want := q.before
			if after {
				want = q.after
			}
			out = append(out, querycheck.ExpectLength("lm_api_token."+q.name, len(want)))
			for _, id := range want {
				out = append(out, querycheck.ExpectIdentity("lm_api_token."+q.name, map[string]knownvalue.Check{
					"admin_id": knownvalue.NotNull(), "id": knownvalue.Int64Exact(id),
				}))
			}
		}
		return out
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   queryVersions,
		ProtoV6ProviderFactories: acctest.Factories(provider.WithClock(s.clk)),
		Steps: []resource.TestStep{
			{Query: true, Config: cfg, QueryResultChecks: checks(false)},
			{PreConfig: s.useSeedToken(t), Query: true, Config: cfg, QueryResultChecks: checks(true)},
		},
	})
}

// TestAccAPITokens_staleBadInput: a negative duration, a time that is not
// RFC 3339 and both idle filters at once are refused, naming the setting.
func TestAccAPITokens_staleBadInput(t *testing.T) {
	e := acctest.New(t)
	ds := func(body string) string {
		return e.ProviderBlock("") + "data \"lm_api_tokens\" \"x\" {\n" + body + "\n}\n"
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.Factories(),
		Steps: []resource.TestStep{
			{Config: ds(`unused_for = "-24h"`), ExpectError: regexp.MustCompile(`(?s)unused_for must be a positive duration`)},
			{Config: ds(`unused_for = "90d"`), ExpectError: regexp.MustCompile(`(?s)Invalid Time Duration String Value`)},
			{Config: ds(`not_used_since = "2026-01-01"`), ExpectError: regexp.MustCompile(`(?s)Invalid RFC3339 String Value`)},
			{
				Config:      ds("unused_for = \"2160h\"\nnot_used_since = \"2026-01-01T00:00:00Z\""),
				ExpectError: regexp.MustCompile(`(?s)Attribute "not_used_since" cannot be specified when "unused_for" is specified`),
			},
		},
	})
}
