#!/bin/sh
# Creates the secret files compose.yaml mounts, with random passwords: ./make-secrets.sh [folder, default ./secrets]
#   postgres_password  the catalog role's password (read by the postgres image's entrypoint)
#   catalog_url        postgres://bevara:<that password>@postgres:5432/bevara, becomes BEVARA_CATALOG__URL
#   s3_secret_key      the S3 secret key, becomes BEVARA_LOCATIONS__OFFSITE__CREDENTIALS__SECRET_ACCESS_KEY
#   s3_config.json     the S3 endpoint's identity for the access key bevara-worker (bevara.env) with that key
# Compose mounts these files as they are, so bevara (uid 1000 in the image) must be able to read its two: run
# this as root and they are given to uid 1000, mode 0400. An existing file is never replaced.
set -eu
dir=${1:-secrets}
umask 077
mkdir -p "$dir"
for name in postgres_password catalog_url s3_secret_key s3_config.json; do
  if [ -e "$dir/$name" ]; then
    echo "make-secrets: $dir/$name exists; remove the secrets folder's files to make new ones" >&2
    exit 1
  fi
done
random() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
password=$(random)
secret_key=$(random)
printf '%s\n' "$password" >"$dir/postgres_password"
printf 'postgres://bevara:%s@postgres:5432/bevara\n' "$password" >"$dir/catalog_url"
printf '%s\n' "$secret_key" >"$dir/s3_secret_key"
cat >"$dir/s3_config.json" <<JSON
{
  "identities": [
    {
      "name": "bevara",
      "credentials": [{ "accessKey": "bevara-worker", "secretKey": "$secret_key" }],
      "actions": ["Admin", "Read", "Write", "List", "Tagging"]
    }
  ]
}
JSON
chmod 0400 "$dir"/*
# The S3 server's image may not read it as root; the folder itself stays private (0700).
chmod 0444 "$dir/s3_config.json"
if [ "$(id -u)" -eq 0 ]; then
  chown 1000:1000 "$dir/catalog_url" "$dir/s3_secret_key"
else
  echo "make-secrets: not root: give $dir/catalog_url and $dir/s3_secret_key to uid 1000 (sudo chown 1000:1000 …)" >&2
fi
echo "make-secrets: wrote $dir/postgres_password, catalog_url, s3_secret_key, s3_config.json" >&2
