#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The Conversa authors
# SPDX-License-Identifier: Apache-2.0
# Creates the PostgreSQL role and database conversa-server uses (storage = postgresql), gives the
# role a new random password, writes it where the conversa-server service reads it, and prints
# the settings to put in /etc/conversa/server.conf on every instance.
#
# Run as root on the database host (it runs psql as the `postgres` user), or as any user with
# PGHOST/PGPORT/PGUSER pointing at a superuser. Running it again keeps the data and gives the
# role a new password (rewrite the file on every instance, then restart them).
#
# Usage: setup.sh [--role conversa] [--database conversa] [--host HOST] [--port 5432]
#                 [--env-file /etc/conversa/database.env | --no-env-file]
#   --host/--port: the address the instances use to reach PostgreSQL (printed in database_url;
#   default: this host's name and 5432). The password goes to --env-file as
#   CONVERSA_DATABASE_PASSWORD=..., mode 0640, group conversa when that group exists.
set -euo pipefail

ROLE=conversa
DATABASE=conversa
HOST=$(hostname -f 2>/dev/null || hostname)
PORT=5432
ENV_FILE=/etc/conversa/database.env

usage() { sed -n '/^# Usage:/,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
        --role) ROLE=${2:?}; shift 2 ;;
        --database) DATABASE=${2:?}; shift 2 ;;
        --host) HOST=${2:?}; shift 2 ;;
        --port) PORT=${2:?}; shift 2 ;;
        --env-file) ENV_FILE=${2:?}; shift 2 ;;
        --no-env-file) ENV_FILE=; shift ;;
        -h|--help) usage ;;
        *) echo "setup.sh: unknown option '$1'" >&2; usage ;;
    esac
done
for name in "$ROLE" "$DATABASE"; do
    if ! [[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
        echo "setup.sh: '$name' is not a plain name (a-z, 0-9, '_', starting with a letter)" >&2
        exit 2
    fi
done
if ! command -v psql >/dev/null; then
    echo "setup.sh: psql is missing: apt-get install postgresql (this host runs the database)" >&2
    exit 1
fi

run_psql() {
    if [ "$(id -u)" -eq 0 ] && [ -z "${PGUSER:-}" ]; then
        (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@")
    else
        psql -X -q -v ON_ERROR_STOP=1 "$@"
    fi
}

# 40 random letters and digits, so the value needs no quoting anywhere.
PASSWORD=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)

# The password travels on stdin, never on a command line that `ps` shows.
run_psql -d postgres <<SQL
\set role_name '$ROLE'
\set db_name '$DATABASE'
\set secret '$PASSWORD'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role_name') AS new_role \gset
\if :new_role
CREATE ROLE :"role_name" LOGIN PASSWORD :'secret';
\else
ALTER ROLE :"role_name" LOGIN PASSWORD :'secret';
\endif
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db_name') AS new_db \gset
\if :new_db
CREATE DATABASE :"db_name" OWNER :"role_name" ENCODING 'UTF8' TEMPLATE template0;
\endif
REVOKE ALL ON DATABASE :"db_name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db_name" TO :"role_name";
SQL
# conversa-server creates its tables itself (and upgrades them); the role owns the schema.
run_psql -d "$DATABASE" <<SQL
\set role_name '$ROLE'
ALTER SCHEMA public OWNER TO :"role_name";
SQL

if [ -n "$ENV_FILE" ]; then
    mkdir -p "$(dirname "$ENV_FILE")"
    (umask 077 && printf 'CONVERSA_DATABASE_PASSWORD=%s\n' "$PASSWORD" >"$ENV_FILE.new")
    if getent group conversa >/dev/null; then
        chgrp conversa "$ENV_FILE.new"
        chmod 0640 "$ENV_FILE.new"
    fi
    mv "$ENV_FILE.new" "$ENV_FILE"
    echo "The password is in $ENV_FILE (copy it to every instance, same path and mode)."
else
    echo "CONVERSA_DATABASE_PASSWORD=$PASSWORD"
    echo "(give it to every instance as that environment variable, or in a .pgpass file)"
fi
cat <<EOF2

Put this in /etc/conversa/server.conf on every instance:
  storage = postgresql
  database_url = postgresql://$ROLE@$HOST:$PORT/$DATABASE

Then create or upgrade the tables once (serve does it too):
  conversa-server migrate --database-url postgresql://$ROLE@$HOST:$PORT/$DATABASE
PostgreSQL must accept the instances: listen_addresses in postgresql.conf and a line like
  host  $DATABASE  $ROLE  10.0.0.0/24  scram-sha-256
in pg_hba.conf for their network (then: systemctl reload postgresql).
EOF2
