# Adopt the service users made in the portal: save as adopt.tfquery.hcl
# beside a configuration that declares the lm provider, then
#
#   terraform query                                     # review what exists
#   terraform query -generate-config-out=adopted.tf     # resource + import blocks
#   terraform apply                                     # imports, changes nothing
#
# Each result shows "<username> <<email>>", with "(API-only)" and
# "(suspended)" where they apply.
list "lm_user" "service_accounts" {
  provider         = lm
  include_resource = true # needed for -generate-config-out

  config {
    username_contains = "svc-" # regardless of case
    api_only          = true
  }
}

# Every suspended user who holds the readonly role (id 2), up to 1000.
list "lm_user" "suspended_readonly" {
  provider = lm
  limit    = 1000 # Terraform's default is 100

  config {
    status  = "suspended"
    role_id = 2 # see the lm_role data source or list resource
  }
}
