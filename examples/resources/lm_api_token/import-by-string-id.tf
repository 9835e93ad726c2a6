# Terraform 1.5+ and OpenTofu: import by "<admin_id>/<token_id>", the token
# id alone, or the access id.
import {
  to = lm_api_token.ci
  id = "131/146"
}
