# A service account in one module: a least-privilege role (or existing
# roles), an API-only user holding it, and an API token for the user.

data "lm_role" "existing" {
  for_each = toset(var.role_names)
  name     = each.value
}

resource "lm_role" "this" {
  count = var.privileges == null ? 0 : 1

  name        = var.name
  description = "Role of the service account ${var.name}"
  privileges  = var.privileges
}

resource "lm_user" "this" {
  username = var.name
  email    = var.email
  note     = var.note
  api_only = true
  roles    = concat(lm_role.this[*].id, [for r in data.lm_role.existing : r.id])

  lifecycle {
    precondition {
      condition     = (length(var.role_names) > 0) != (var.privileges != null)
      error_message = "Give the service account either role_names (existing roles) or privileges (a new role), not both and not neither."
    }
  }
}

resource "lm_api_token" "this" {
  count = var.create_token ? 1 : 0

  admin_id     = lm_user.this.id
  note         = var.note
  rotate_after = var.rotate_after
  on_destroy   = var.on_destroy

  lifecycle {
    create_before_destroy = true
  }
}
