data "lm_user" "pipeline" {
  username = "svc-pipeline"
}

# Every enabled LMv1 token of the pipeline user whose note mentions "CI".
data "lm_api_tokens" "ci" {
  admin_id      = data.lm_user.pipeline.id
  enabled       = true
  note_contains = "CI"
  type          = "lmv1"
}

# Stale keys of the whole portal: idle for 90 days (last used, or made and
# never used, more than 90 days ago) and still able to authenticate.
data "lm_api_tokens" "stale" {
  unused_for = "2160h"
  enabled    = true
}

# Keys nobody has ever used.
data "lm_api_tokens" "never_used" {
  never_used = true
}

output "stale" {
  value = [for t in data.lm_api_tokens.stale.tokens : "${t.admin_name}: ${t.access_id} (last used ${coalesce(t.last_used_on, "never")})"]
}

output "never_used" {
  value = [for t in data.lm_api_tokens.never_used.tokens : "${t.admin_name}: ${t.access_id}, created ${t.created_on}"]
}
