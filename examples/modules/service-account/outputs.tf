output "user_id" {
  description = "Id of the service account's user: the admin_id of its tokens."
  value       = tonumber(lm_user.this.id)
}

output "role_ids" {
  description = "Ids of the roles the user holds."
  value       = lm_user.this.roles
}

output "access_id" {
  description = "Access id of the service account's token; null when create_token is false."
  value       = one(lm_api_token.this[*].access_id)
}

output "access_key" {
  description = "Access key of the service account's token (sensitive; kept in state); null when create_token is false."
  value       = one(lm_api_token.this[*].access_key)
  sensitive   = true
}
