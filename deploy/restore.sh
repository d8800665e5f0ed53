#!/bin/sh
# Restore a backup made by backup.sh into an EMPTY database and instance folder, with
# the web app and the workers stopped (docs/hosting.md, "Restore").
#   deploy/restore.sh /var/backups/kleroterion/2026-12-07T031500Z
set -eu
: "${KLEROTERION_DATABASE_URL:?set KLEROTERION_DATABASE_URL}"
: "${KLEROTERION_INSTANCE_PATH:?set KLEROTERION_INSTANCE_PATH}"
source="${1:?usage: restore.sh BACKUP_FOLDER}"
(cd "$source" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --exit-on-error \
    --dbname="$(printf %s "$KLEROTERION_DATABASE_URL" | sed 's/+psycopg//')" \
    "$source/database.dump"
mkdir -p "$(dirname "$KLEROTERION_INSTANCE_PATH")"
tar --extract --gzip --file="$source/instance.tar.gz" \
    --directory="$(dirname "$KLEROTERION_INSTANCE_PATH")"
kleroterion db upgrade   # a backup from an older version: its migrations run now
kleroterion audit verify
