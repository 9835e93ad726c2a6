# Two API tokens for a CI pipeline's LogicMonitor API user: one in use, one
# kept disabled as a standby to switch to during a rotation.
#
# `make demo` runs this against the bundled simulator. To run it against a
# real portal, set LM_COMPANY, LM_ACCESS_ID and LM_ACCESS_KEY, make sure the
# portal has an API-only user named svc-pipeline, and run terraform (or tofu)
# init and apply in this directory.

terraform {
  required_providers {
    lm = {
      source = "lmtf/lm"
    }
  }
}

# Configured from the environment: LM_COMPANY (or LM_BASE_URL), LM_ACCESS_ID
# and LM_ACCESS_KEY, or LM_BEARER_TOKEN.
provider "lm" {}

data "lm_user" "pipeline" {
  username = "svc-pipeline"
}

resource "lm_api_token" "ci" {
  admin_id = data.lm_user.pipeline.id
  note     = "CI pipeline (managed by Terraform)"
}

resource "lm_api_token" "standby" {
  admin_id = data.lm_user.pipeline.id
  note     = "standby key, enabled on demand"
  enabled  = false
}

output "ci_access_id" {
  description = "Access ID of the CI pipeline's token."
  value       = lm_api_token.ci.access_id
}

output "ci_access_key" {
  description = "Access key of the CI pipeline's token: shown once by LogicMonitor, kept in state."
  value       = lm_api_token.ci.access_key
  sensitive   = true
}

output "standby_access_id" {
  description = "Access ID of the disabled standby token."
  value       = lm_api_token.standby.access_id
}
