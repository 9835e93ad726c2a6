# Terraform 1.12+ and OpenTofu 1.12+: import by identity, the token's user
# id and token id (`terraform query` on lm_api_token writes these blocks).
import {
  to = lm_api_token.ci
  identity = {
    admin_id = 131
    id       = 146
  }
}
