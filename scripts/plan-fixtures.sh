#!/usr/bin/env bash
# Regenerates the Terraform plan fixtures for the plan-review tests, offline.
#
# For each scripts/plan-fixtures/<stack>/:
#   before.tf    config applied first to get state (optional: no state = new stack)
#   taint.txt    addresses to taint after that apply (optional)
#   cdk.tf.json  cdktf-shaped config that is planned against that state
# and writes
#   __tests__/fixtures/plans/<stack>.json   terraform show -json <planfile>
#   __tests__/fixtures/plans/<stack>.txt    terraform show -no-color <planfile>
#   __tests__/fixtures/synth/plans/stacks/<stack>/cdk.tf.json  (for --synth-dir)
#
# Only built-in resources (terraform_data, terraform_remote_state) are used, so
# no provider is downloaded; state stays in a temp dir with the local backend.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/scripts/plan-fixtures"
out="$root/__tests__/fixtures/plans"
synth="$root/__tests__/fixtures/synth/plans/stacks"
tf="${TERRAFORM:-terraform}"

# No provider is installed, so an empty CLI config (no mirrors, no credentials) is enough.
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0 TF_CLI_CONFIG_FILE=/dev/null

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$out" "$synth"
"$tf" version -json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log("terraform "+JSON.parse(s).terraform_version))'

for dir in "$src"/*/; do
  stack="$(basename "$dir")"
  work="$tmp/$stack"
  mkdir -p "$work/before" "$work/after"

  if [[ -f "$dir/before.tf" ]]; then
    cp "$dir/before.tf" "$work/before/main.tf"
    (
      cd "$work/before"
      "$tf" init -input=false >/dev/null
      "$tf" apply -auto-approve -input=false >/dev/null
      if [[ -f "$dir/taint.txt" ]]; then
        while read -r address; do
          [[ -n "$address" ]] && "$tf" taint "$address" >/dev/null
        done <"$dir/taint.txt"
      fi
    )
    cp "$work/before/terraform.tfstate" "$work/after/terraform.tfstate"
  fi

  cp "$dir/cdk.tf.json" "$work/after/cdk.tf.json"
  (
    cd "$work/after"
    "$tf" init -input=false >/dev/null
    "$tf" plan -input=false -lock=false -out=tfplan >/dev/null
    "$tf" show -json tfplan | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(JSON.parse(s),null,2)+"\n"))' >"$out/$stack.json"
    "$tf" show -no-color tfplan >"$out/$stack.txt"
  )

  mkdir -p "$synth/$stack"
  cp "$dir/cdk.tf.json" "$synth/$stack/cdk.tf.json"
  echo "wrote $stack: $(grep -E '^(Plan:|No changes)' "$out/$stack.txt" || true)"
done
