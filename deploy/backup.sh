#!/bin/sh
# A backup of a kleroterion site: the database (pg_dump, custom format) and the
# instance folder (lottery folders, the secret key, uploaded files), in one dated
# folder. Run as a user who may read both (docs/hosting.md, "Backups").
#   deploy/backup.sh /var/backups/kleroterion
set -eu
: "${KLEROTERION_DATABASE_URL:?set KLEROTERION_DATABASE_URL (as in kleroterion.env)}"
: "${KLEROTERION_INSTANCE_PATH:?set KLEROTERION_INSTANCE_PATH}"
target="${1:?usage: backup.sh FOLDER}/$(date -u +%Y-%m-%dT%H%M%SZ)"
mkdir -p "$target"
# pg_dump takes a libpq URL: drop SQLAlchemy's "+psycopg" driver suffix.
pg_dump --format=custom --no-owner --file="$target/database.dump" \
    "$(printf %s "$KLEROTERION_DATABASE_URL" | sed 's/+psycopg//')"
tar --create --gzip --file="$target/instance.tar.gz" \
    --directory="$(dirname "$KLEROTERION_INSTANCE_PATH")" "$(basename "$KLEROTERION_INSTANCE_PATH")"
(cd "$target" && sha256sum database.dump instance.tar.gz > SHA256SUMS)
echo "$target"
