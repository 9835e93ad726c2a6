# By user id:
terraform import lm_user.deployer 143

# By username:
terraform import lm_user.deployer svc-ci-deployer

# A password is never read back: after an import, password_wo stays unset
# until you set it together with a password_wo_version.

# To find users and write the import blocks for you (Terraform 1.14+), use a
# list "lm_user" block with terraform query -generate-config-out=FILE: see the
# lm_user list resource.
