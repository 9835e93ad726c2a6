variable "name" {
  description = "Name of the service account: the username of its API-only user, and the name of its role when the module creates one."
  type        = string

  validation {
    condition     = length(trimspace(var.name)) > 0
    error_message = "name must not be empty: it becomes the username, such as \"svc-ci-deploy\"."
  }
}

variable "email" {
  description = "Email address of the user (LogicMonitor requires one), such as the owning team's list."
  type        = string
}

variable "note" {
  description = "Note on the user and its token, such as who owns the account."
  type        = string
  default     = "service account managed by Terraform"
}

variable "role_names" {
  description = "Names of existing roles to give the user. Set this or privileges, not both."
  type        = list(string)
  default     = []
}

variable "privileges" {
  description = "Privileges of a new role named after the account (least privilege: only what the pipeline needs). Set this or role_names, not both."
  type = list(object({
    object_type = string
    object_id   = string
    operation   = string
  }))
  default = null
}

variable "create_token" {
  description = "Whether to create a long-lived API token (its key is kept in state). Set false to use ephemeral tokens only: see examples/ephemeral."
  type        = bool
  default     = true
}

variable "rotate_after" {
  description = "Maximum age of the token, as a Go duration such as \"2160h\" (90 days); a plan after that replaces it. null: never."
  type        = string
  default     = null
}

variable "on_destroy" {
  description = "What destroying the token does: \"delete\" revokes it, \"disable\" keeps it disabled for audit, \"abandon\" leaves it."
  type        = string
  default     = "delete"

  validation {
    condition     = contains(["delete", "disable", "abandon"], var.on_destroy)
    error_message = "on_destroy must be \"delete\", \"disable\" or \"abandon\"."
  }
}
