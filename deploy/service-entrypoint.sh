#!/bin/sh
# The entry point of a service image (deploy/Dockerfile; TOWNGRID_SERVICE: the service it holds).
# The service listens on every interface of the container (<SVC>_HTTP_HOST=0.0.0.0) unless the
# environment says otherwise; with no command it runs the service's api.
set -eu
host="$(printf '%s' "$TOWNGRID_SERVICE" | tr 'a-z' 'A-Z')_HTTP_HOST"
export "$host=$(printenv "$host" || echo 0.0.0.0)"
[ "$#" -gt 0 ] || set -- "$TOWNGRID_SERVICE-api"
exec "$@"
