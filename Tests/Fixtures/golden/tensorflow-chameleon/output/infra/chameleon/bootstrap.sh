#!/usr/bin/env bash
# Runs on the Chameleon server.
#   bash bootstrap.sh REPO_URL   Docker + NVIDIA container toolkit, clone (https: the node has no key for
#                                git@ URLs), .env from project.env, image, stack up
#   bash bootstrap.sh REPO_URL worker
#                                the same up to the image, for the other servers of a multi-node job:
#                                no stack (rank 0's MLflow on the first server records the run)
set -euo pipefail

project_dir="$HOME/speech-tf"

repo_url="${1:?usage: bootstrap.sh REPO_URL [worker]}"
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
curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey \
  | sudo gpg --dearmor --yes -o /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg
curl -fsSL https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list \
  | sed 's#deb https://#deb [signed-by=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg] https://#g' \
  | sudo tee /etc/apt/sources.list.d/nvidia-container-toolkit.list > /dev/null
sudo apt-get update
sudo apt-get install -y --no-install-recommends nvidia-container-toolkit
sudo nvidia-ctk runtime configure --runtime=docker
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
  echo "bootstrap: worker ready at $commit (image speech-tf:latest-local)"
  exit 0
fi
sudo docker compose up -d --wait mlflow
echo "bootstrap: done at $commit; run training with: cd $project_dir && make train-container"
