terraform {
  required_providers {
    lm = {
      source = "lmtf/lm"
    }
  }
}

# Credentials usually come from the environment (LM_COMPANY, LM_ACCESS_ID,
# LM_ACCESS_KEY; LogicMonitor's own LM_API_ID / LM_API_KEY work too), so
# nothing secret is written in configuration.
provider "lm" {
  company = "acme" # https://acme.logicmonitor.com
}

# Or, with everything explicit (GovCloud portal, bearer token):
# provider "lm" {
#   company      = "acme"
#   domain       = "lmgov.us"
#   bearer_token = var.lm_bearer_token
# }
