# Adopt roles made in the portal: save as adopt.tfquery.hcl beside a
# configuration that declares the lm provider, then run
# `terraform query -generate-config-out=adopted.tf` and `terraform apply`.
#
# Each result shows "<name> (<n> users, <n> privileges)".
list "lm_role" "ci" {
  provider         = lm
  include_resource = true # needed for -generate-config-out

  config {
    name_contains = "ci" # regardless of case; leave out for every role
  }
}
