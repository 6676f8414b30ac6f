#!/bin/sh
# Entrypoint of bevara's image. Secrets from files: every file /run/secrets/BEVARA_<NAME> (compose and podman
# secrets, Kubernetes secret volumes mounted there) becomes the environment variable BEVARA_<NAME>, its content
# without trailing newlines: e.g. BEVARA_CATALOG__URL or BEVARA_LOCATIONS__PRIMARY__CREDENTIALS__SECRET_ACCESS_KEY.
# The same name set both ways is refused (exit 2). Then node replaces this shell (exec): it is the container's
# main process and receives SIGTERM itself.
set -eu
for file in /run/secrets/BEVARA_*; do
  [ -f "$file" ] || continue
  name=${file##*/}
  case $name in
  *[!A-Za-z0-9_]*)
    echo "bevara entrypoint: $file: not an environment variable name, ignored" >&2
    continue
    ;;
  esac
  if eval "[ -n \"\${$name+set}\" ]"; then
    echo "bevara entrypoint: $name is set both in the environment and as $file; keep one" >&2
    exit 2
  fi
  value=$(cat "$file")
  export "$name=$value"
done
exec node /app/dist/cli/main.js "$@"
