data "lm_user" "pipeline" {
  username = "svc-pipeline"
}

data "lm_user" "by_id" {
  id = 131
}

output "pipeline_roles" {
  value = data.lm_user.pipeline.roles
}
