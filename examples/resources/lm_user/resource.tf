resource "lm_role" "deployer" {
  name = "ci-deployer"
  privileges = [
    { object_type = "host_group", object_id = "*", operation = "read" },
  ]
}

# An API-only service user (the default): it authenticates with API tokens
# only and holds the least-privilege role above.
resource "lm_user" "deployer" {
  username = "svc-ci-deployer"
  email    = "platform-team@example.com"
  note     = "deploy pipeline, owned by the platform team"
  roles    = [lm_role.deployer.id]
}

resource "lm_api_token" "deployer" {
  admin_id = lm_user.deployer.id
  note     = "deploy pipeline"
}

# A person who signs in to the portal. The password is write-only (Terraform
# 1.11 or OpenTofu 1.12 or later): sent to LogicMonitor, never kept in state
# or shown in a plan. Increment password_wo_version to send a new one.
variable "alice_password" {
  type      = string
  sensitive = true
}

data "lm_role" "readonly" {
  name = "readonly"
}

resource "lm_user" "alice" {
  username            = "alice"
  email               = "alice@example.com"
  first_name          = "Alice"
  api_only            = false
  roles               = [data.lm_role.readonly.id]
  password_wo         = var.alice_password
  password_wo_version = 1
}
