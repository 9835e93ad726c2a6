# Adopt every token of one user: save as adopt.tfquery.hcl beside a
# configuration that declares the lm provider, then
#
#   terraform query                                     # review what exists
#   terraform query -generate-config-out=adopted.tf     # resource + import blocks
#   terraform apply                                     # imports, changes nothing
#
# Each result shows "<user>: <access id> "<note>"", with "(bearer)" or
# "(disabled)" where it applies.
list "lm_api_token" "pipeline" {
  provider         = lm
  include_resource = true # needed for -generate-config-out

  config {
    admin_id = 140 # the id of svc-pipeline (see the lm_user data source)
  }
}

# Every disabled bearer token of the portal, up to 1000 results.
list "lm_api_token" "disabled_bearer" {
  provider = lm
  limit    = 1000 # Terraform's default is 100

  config {
    type    = "bearer"
    enabled = false
  }
}

# Stale keys: idle for 90 days (last used, or made and never used, more than
# 90 days ago). See the guide "Finding and revoking stale API tokens".
list "lm_api_token" "stale" {
  provider = lm
  limit    = 1000

  config {
    unused_for = "2160h"
    enabled    = true
  }
}
