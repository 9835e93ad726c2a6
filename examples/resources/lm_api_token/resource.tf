data "lm_user" "pipeline" {
  username = "svc-pipeline"
}

# An LMv1 token for a CI pipeline.
resource "lm_api_token" "ci" {
  admin_id = data.lm_user.pipeline.id
  note     = "CI pipeline (managed by Terraform)"
}

# A bearer token, disabled until needed.
resource "lm_api_token" "webhook" {
  admin_id = data.lm_user.pipeline.id
  type     = "bearer"
  note     = "incident webhook"
  enabled  = false
}

# Rotation: a new key every 90 days, or whenever the serial changes. With
# create_before_destroy the new key exists before the old one is revoked.
resource "lm_api_token" "rotating" {
  admin_id     = data.lm_user.pipeline.id
  note         = "exporter (rotated)"
  rotate_after = "2160h"
  rotation_triggers = {
    serial = "1"
  }
  lifecycle {
    create_before_destroy = true
  }
}

# Keep the token for audit when it leaves the configuration: disable it
# instead of deleting it.
resource "lm_api_token" "audited" {
  admin_id   = data.lm_user.pipeline.id
  note       = "vendor integration"
  on_destroy = "disable"
}

output "ci_access_id" {
  value = lm_api_token.ci.access_id
}

output "ci_access_key" {
  value     = lm_api_token.ci.access_key
  sensitive = true
}

# The rotating token's deadline (RFC 3339): created_on + rotate_after.
output "rotating_due_on" {
  value = lm_api_token.rotating.rotation_due_on
}
