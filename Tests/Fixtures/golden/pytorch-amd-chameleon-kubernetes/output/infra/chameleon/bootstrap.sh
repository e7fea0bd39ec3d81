#!/usr/bin/env bash
# Runs on the Chameleon server.
#   bash bootstrap.sh REPO_URL   Docker, clone (https: the node has no key for
#                                git@ URLs), .env from project.env, restore the last database backup, image, stack up
#   bash bootstrap.sh REPO_URL worker
#                                the same up to the image, for the other servers of a multi-node job:
#                                no stack (rank 0's MLflow on the first server records the run)
#   bash bootstrap.sh backup     pg_dump of the MLflow database into the site's object store
#                                (infra/chameleon/teardown.py runs this before it deletes anything)
set -euo pipefail

project_dir="$HOME/rocm-lm"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# store put|get|has BUCKET KEY: objects in the object store, through the MLflow image (boto3 and the
# S3 endpoint and key from .env); put reads stdin, get writes stdout, has exits 1 when absent.
store() {
  sudo docker compose run --rm --no-deps -T -v "$project_dir/infra/chameleon:/tools:ro" \
    --entrypoint python mlflow /tools/object_store.py "$@"
}

backup_bucket() {
  local bucket
  bucket="$(sed -n 's/^BACKUP_BUCKET=//p' "$project_dir/.env")"
  if [ -z "$bucket" ]; then
    echo "bootstrap: BACKUP_BUCKET is not set in $project_dir/.env (provision.py sets it)" >&2
    exit 2
  fi
  printf '%s' "$bucket"
}

backup() {
  cd "$project_dir"
  local bucket stamp dump
  bucket="$(backup_bucket)"
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  dump="$scratch/mlflow.dump"
  # shellcheck disable=SC2016,SC2024 # variables expanded inside the container; the file is ours, not root's
  sudo docker compose exec -T postgres sh -c 'pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" --format=custom' > "$dump"
  if [ ! -s "$dump" ]; then
    echo "bootstrap: pg_dump wrote nothing" >&2
    exit 1
  fi
  store put "$bucket" "postgres/mlflow-$stamp.dump" < "$dump"
  store put "$bucket" postgres/latest.dump < "$dump"
  echo "bootstrap: backed up the MLflow database to $bucket/postgres/mlflow-$stamp.dump ($(wc -c < "$dump") bytes)"
}

restore() {
  cd "$project_dir"
  local bucket dump
  bucket="$(backup_bucket)"
  if ! store has "$bucket" postgres/latest.dump; then
    echo "bootstrap: no database backup in $bucket yet; starting with an empty MLflow database"
    return 0
  fi
  dump="$scratch/mlflow.dump"
  store get "$bucket" postgres/latest.dump > "$dump"
  sudo docker compose up -d --wait postgres
  # shellcheck disable=SC2016,SC2024 # variables expanded inside the container; the file is ours, not root's
  sudo docker compose exec -T postgres sh -c \
    'pg_restore --clean --if-exists --no-owner -U "$POSTGRES_USER" -d "$POSTGRES_DB"' < "$dump"
  echo "bootstrap: restored the MLflow database from $bucket/postgres/latest.dump"
}

# DVC's `storage` remote on this node: the object store's DVC bucket (.dvc/config.local is git-ignored).
dvc_remote() {
  cd "$project_dir"
  [ -d .dvc ] || return 0
  local endpoint bucket access secret
  endpoint="$(sed -n 's/^ARTIFACTS_S3_ENDPOINT=//p' .env)"
  bucket="$(sed -n 's/^DVC_BUCKET=//p' .env)"
  access="$(sed -n 's/^ARTIFACTS_ACCESS_KEY=//p' .env)"
  secret="$(sed -n 's/^ARTIFACTS_SECRET_KEY=//p' .env)"
  install -m 0600 /dev/null .dvc/config.local
  printf "['remote \"storage\"']\n    url = s3://%s/dvc\n    endpointurl = %s\n    access_key_id = %s\n    secret_access_key = %s\n" \
    "$bucket" "$endpoint" "$access" "$secret" > .dvc/config.local
}

if [ "${1:-}" = "backup" ]; then
  backup
  exit 0
fi

repo_url="${1:?usage: bootstrap.sh REPO_URL [worker] | bootstrap.sh backup}"
role="${2:-leader}"
case "$role" in
  leader|worker) ;;
  *)
    echo "bootstrap: the second argument is 'worker' or nothing, not '$role'" >&2
    exit 2 ;;
esac
case "$repo_url" in
  https://*) ;;
  *)
    echo "bootstrap: REPO_URL must be an https:// URL: the node has no SSH key for $repo_url" >&2
    exit 2 ;;
esac

sudo apt-get update
sudo apt-get install -y --no-install-recommends docker.io docker-compose-v2 git make
sudo systemctl restart docker
sudo usermod -aG docker "$USER"

if [ ! -d "$project_dir" ]; then
  git clone "$repo_url" "$project_dir"
fi
install -m 0600 "$HOME/project.env" "$project_dir/.env"
cd "$project_dir"
# The image records the commit it is built from (the Dockerfile's SOURCE_GIT_* build arguments).
commit="$(git rev-parse HEAD)"
if [ -n "$(git status --porcelain --untracked-files=normal)" ]; then dirty=true; else dirty=false; fi
sudo env SOURCE_GIT_COMMIT="$commit" SOURCE_GIT_DIRTY="$dirty" docker compose build
if [ "$role" = "worker" ]; then
  echo "bootstrap: worker ready at $commit (image rocm-lm:latest-local)"
  exit 0
fi
dvc_remote
restore
sudo docker compose up -d --wait mlflow
echo "bootstrap: done at $commit; run training with: cd $project_dir && make train-container"
