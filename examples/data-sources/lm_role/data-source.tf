data "lm_role" "admin" {
  name = "administrator"
}

output "administrator_role_id" {
  value = data.lm_role.admin.id
}
