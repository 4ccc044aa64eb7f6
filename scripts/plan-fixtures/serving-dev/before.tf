# State the "after" config (cdk.tf.json) is planned against. The SECRET- strings
# must never appear in a review; the tests grep for them.
resource "terraform_data" "keep" {
  input = "unchanged"
}

resource "terraform_data" "cluster" {
  input = { vm_size = "Standard_DS3_v2", min_node_count = 0, max_node_count = 6 }
}

resource "terraform_data" "secrets" {
  input = {
    api_key = sensitive("SECRET-api-key-v1")
    hosts   = ["public.example.org", sensitive("SECRET-host-token")]
    region  = "westeurope"
  }
}

resource "terraform_data" "whole" {
  input = sensitive("SECRET-whole-v1")
}

resource "terraform_data" "pending" {
  input = { known = "k", later = "old-id" }
}

resource "terraform_data" "models" {
  for_each = { fraud = "v1", legacy = "v0" }
  input    = each.value
}

resource "terraform_data" "workspace" {
  input            = "mlw-serving-dev"
  triggers_replace = ["westeurope"]
}

resource "terraform_data" "endpoint" {
  triggers_replace = "blue"
  lifecycle {
    create_before_destroy = true
  }
}

# The fixture script taints this one (replace_because_tainted).
resource "terraform_data" "tainted" {
  input = "half-created"
}

resource "terraform_data" "triggered" {
  input = "follows cluster"
}

resource "terraform_data" "storage" {
  input = "stservingdev"
}

resource "terraform_data" "forgotten" {
  input = "kept outside terraform"
}

resource "terraform_data" "old_identity" {
  input = "id-serving-dev"
}

output "scoring_uri" {
  value = "https://old.example.org/score"
}

output "api_key" {
  value     = sensitive("SECRET-output-v1")
  sensitive = true
}

output "retired" {
  value = "going away"
}

output "unchanged" {
  value = "same"
}

output "settings" {
  value = { replicas = 2, sku = "Standard_DS3_v2" }
}
