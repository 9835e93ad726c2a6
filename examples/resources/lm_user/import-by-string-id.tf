# Terraform 1.5+ and OpenTofu: import by user id or by username.
import {
  to = lm_user.deployer
  id = "svc-ci-deployer"
}
