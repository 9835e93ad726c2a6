# Incident response: an access id showed up in a paste. Disable the token at
# once, wherever it is in the portal and whether or not Terraform manages it:
#
#   terraform apply -invoke=action.lm_revoke_api_token.leaked
#
# The token stays in the portal, disabled, for the investigation.
action "lm_revoke_api_token" "leaked" {
  config {
    access_id = "48v2wRzfK94y53sq5EuF"
  }
}

# Rotate away from a leaked key in one apply: create the replacement, and
# delete the leaked token as soon as the replacement exists.
resource "lm_api_token" "exporter" {
  admin_id = 140
  note     = "metrics exporter (replaces the leaked key)"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.lm_revoke_api_token.exporter_leaked]
    }
  }
}

action "lm_revoke_api_token" "exporter_leaked" {
  config {
    access_id = "Xy7pQ2rT9sLm4Kv8Wn3a"
    mode      = "delete"
  }
}
