# A least-privilege role for a deploy pipeline: it may read every device
# group and manage dashboards, and nothing else.
resource "lm_role" "deployer" {
  name        = "ci-deployer"
  description = "What the deploy pipeline may do"
  privileges = [
    { object_type = "host_group", object_id = "*", operation = "read" },
    { object_type = "dashboard_group", object_id = "*", operation = "write" },
  ]
}

# A role for people who acknowledge alerts, with two-factor sign-in.
resource "lm_role" "on_call" {
  name            = "on-call"
  two_fa_required = true
  privileges = [
    { object_type = "host_group", object_id = "*", operation = "ack" },
    { object_type = "help", object_id = "", operation = "read" },
  ]
}
