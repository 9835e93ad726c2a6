# By role id:
terraform import lm_role.deployer 7

# By name (exact, case included):
terraform import lm_role.deployer ci-deployer
