# Terraform 1.12+ and OpenTofu 1.12+: import by identity, the user's id.
import {
  to = lm_user.deployer
  identity = {
    id = 143
  }
}
