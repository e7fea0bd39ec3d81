#!/bin/sh
# The database of the project's Optuna sweep studies (src/*/sweep.py), beside MLflow's in the same
# PostgreSQL. The postgres image runs this once, when its volume is first initialised; run it again by
# hand for a volume made before it existed: docker compose exec postgres sh /docker-entrypoint-initdb.d/optuna.sh
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v db="${OPTUNA_DB:-optuna}" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
SQL
