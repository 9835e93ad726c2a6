terraform {
  required_version = ">= 1.8"

  required_providers {
    lm = {
      source = "lmtf/lm"
    }
  }
}
