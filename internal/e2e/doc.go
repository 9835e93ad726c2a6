// Package e2e runs the provider as a real plugin binary under the Terraform
// or OpenTofu CLI named by TF_ACC_TERRAFORM_PATH, for the behaviour the
// in-process acceptance harness cannot show: several configurations of the
// lm provider in one run (each is its own process), and what the provider
// does when the CLI shuts it down.
package e2e
