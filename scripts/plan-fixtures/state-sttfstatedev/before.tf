# Same as cdk.tf.json: this stack plans to "No changes".
resource "terraform_data" "account" {
  input = "sttfstatedev"
}

output "account_name" {
  value = terraform_data.account.output
}
