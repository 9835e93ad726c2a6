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

# Tokens nobody has ever used: candidates for revocation.
output "never_used" {
  value = [for t in data.lm_api_tokens.ci.tokens : t.access_id if t.last_used_on == null]
}
