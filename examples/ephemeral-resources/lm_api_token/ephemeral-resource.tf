data "lm_user" "deployer" {
  username = "svc-deployer"
}

# A token that exists only while this run does: created when Terraform opens
# it (during plan too), deleted when the run ends, never stored in state.
ephemeral "lm_api_token" "run" {
  admin_id = data.lm_user.deployer.id
}

# Use it to configure another provider for this run only.
provider "lm" {
  alias      = "deployer"
  company    = "acme"
  access_id  = ephemeral.lm_api_token.run.access_id
  access_key = ephemeral.lm_api_token.run.access_key
}
