# Terraform 1.5+ and OpenTofu: import by role id or by name.
import {
  to = lm_role.deployer
  id = "ci-deployer"
}
