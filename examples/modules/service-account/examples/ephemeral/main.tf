# The service account without a long-lived key: the module creates the role
# and the user only, and each run opens an ephemeral token for the user that
# configures another provider, then deletes it when the run ends. No key is
# ever stored in state. Ephemeral resources need Terraform 1.10 or later.

terraform {
  required_version = ">= 1.10"

  required_providers {
    lm = {
      source = "lmtf/lm"
    }
  }
}

# An administrator's credentials, from LM_COMPANY, LM_ACCESS_ID and LM_ACCESS_KEY.
provider "lm" {}

module "reader" {
  source = "../.."

  name         = "svc-inventory-reader"
  email        = "platform-team@example.com"
  create_token = false
  privileges = [
    { object_type = "setting", object_id = "*", operation = "read" },
  ]
}

# A token that lives for this run only.
ephemeral "lm_api_token" "run" {
  admin_id = module.reader.user_id
  note     = "inventory run"
}

# Another provider configured with it: everything it does this run is done
# as the service account, with the role's privileges only.
provider "lm" {
  alias      = "reader"
  company    = "acme"
  access_id  = ephemeral.lm_api_token.run.access_id
  access_key = ephemeral.lm_api_token.run.access_key
}

data "lm_role" "readonly" {
  provider = lm.reader
  name     = "readonly"
}
