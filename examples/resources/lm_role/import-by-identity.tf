# Terraform 1.12+ and OpenTofu 1.12+: import by identity, the role's id.
import {
  to = lm_role.deployer
  identity = {
    id = 7
  }
}
