# By role id:
terraform import lm_role.deployer 7

# By name (exact, case included):
terraform import lm_role.deployer ci-deployer

# To find roles and write the import blocks for you (Terraform 1.14+), use a
# list "lm_role" block with terraform query -generate-config-out=FILE: see the
# lm_role list resource.
