# A new key every 90 days, or when the serial changes; the old key keeps
# working for 3 more days (previous_token), so consumers that reload their
# secret on their own schedule pick up the new key before the old one is
# deleted by the first apply after previous_token.retires_on.
resource "lm_api_token" "agents" {
  admin_id         = data.lm_user.pipeline.id
  note             = "collector fleet"
  rotate_after     = "2160h"
  rotation_overlap = "72h"
  rotation_triggers = {
    serial = "1"
  }
}

# Both keys during the overlap: the current one to hand out, the previous
# one to know which key is on its way out.
output "agents_keys" {
  value = {
    current  = lm_api_token.agents.access_id
    previous = try(lm_api_token.agents.previous_token.access_id, null)
    retires  = try(lm_api_token.agents.previous_token.retires_on, null)
  }
}
