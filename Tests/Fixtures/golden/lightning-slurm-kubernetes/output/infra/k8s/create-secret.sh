#!/usr/bin/env bash
# Create (or replace) the Kubernetes Secret vision-scaling-env that the training Job reads.
#   infra/k8s/create-secret.sh [ENV_FILE]        (default .env)
# It holds only what the trainer needs: MLFLOW_TRACKING_URI (from K8S_MLFLOW_TRACKING_URI, a
# Service name such as http://vision-scaling-mlflow:5000, which infra/k8s/mlflow.yaml creates, or an external URL) and HF_TOKEN.
# Artifacts reach the artifact store through the MLflow server (--serve-artifacts), so the pod
# needs no S3 key; the PostgreSQL and MinIO root credentials never leave .env.
set -euo pipefail

env_file="${1:-.env}"
if [ ! -f "$env_file" ]; then
  echo "error: $env_file not found (mlrepro init creates .env)" >&2
  exit 2
fi

# The value of KEY in the env file (last assignment wins, as in a shell), without surrounding quotes.
value_of() {
  local line value=""
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "$1="*) value="${line#*=}" ;;
    esac
  done < "$env_file"
  value="${value%\"}"; value="${value#\"}"; value="${value%\'}"; value="${value#\'}"
  printf '%s' "$value"
}

tracking_uri="${K8S_MLFLOW_TRACKING_URI:-$(value_of K8S_MLFLOW_TRACKING_URI)}"
case "$tracking_uri" in
  "")
    echo "error: set K8S_MLFLOW_TRACKING_URI in $env_file (a Service name or external URL the pod reaches)" >&2
    exit 2 ;;
  http://127.*|https://127.*|http://localhost*|https://localhost*|http://\[::1\]*|https://\[::1\]*)
    echo "error: K8S_MLFLOW_TRACKING_URI=$tracking_uri is a loopback address: inside a pod it points at the pod itself" >&2
    exit 2 ;;
  http://*|https://*) ;;
  *)
    echo "error: K8S_MLFLOW_TRACKING_URI=$tracking_uri must be an http(s):// URL" >&2
    exit 2 ;;
esac

secret_env="$(mktemp)"
trap 'rm -f "$secret_env"' EXIT
chmod 600 "$secret_env"
printf 'MLFLOW_TRACKING_URI=%s\n' "$tracking_uri" > "$secret_env"
# An external server's own login, when .env has one (never a database or object-store root key).
for key in MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD MLFLOW_TRACKING_TOKEN; do
  value="$(value_of "$key")"
  if [ -n "$value" ]; then
    printf '%s=%s\n' "$key" "$value" >> "$secret_env"
  fi
done
hf_token="$(value_of HF_TOKEN)"
if [ -n "$hf_token" ]; then
  printf 'HF_TOKEN=%s\n' "$hf_token" >> "$secret_env"
fi
kubectl create secret generic vision-scaling-env --from-env-file="$secret_env" \
  --dry-run=client -o yaml | kubectl apply -f -
