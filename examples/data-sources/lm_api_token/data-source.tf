data "lm_api_token" "by_access_id" {
  access_id = "48v2wRzfK94y53sq5EuF"
}

data "lm_api_token" "by_id" {
  id = "146"
}

output "last_used" {
  value = data.lm_api_token.by_access_id.last_used_on
}
