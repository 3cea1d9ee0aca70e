#!/usr/bin/env bash
# Make this clone ready to run and test: uv (installed into a cache venv if missing), Python 3.11,
# Java 17+, Maven, Go 1.24+, then `uv sync --all-packages --frozen`. Prints each step; the uv it
# uses is what `scripts/uv` finds (PATH first, then the cache venv). Exit status 2: something a
# person must install. Everything it prints goes to stderr (so `TOKEN=$(make token)` works).
set -euo pipefail
exec 1>&2

UV_VERSION=0.13.9  # the uv installed when none is on PATH
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TOWNGRID_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/towngrid}
TOOLS=$CACHE/tools

step() { printf '==> %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 2; }

step "python3: needs 3.11"
command -v python3 >/dev/null 2>&1 \
  || die "python3 not found: install Python 3.11 (Debian 12: apt-get install python3 python3-venv)"
PY_VERSION=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$PY_VERSION" = "3.11" ] \
  || die "python3 is $PY_VERSION ($(command -v python3)), towngrid needs 3.11: install Python 3.11 (Debian 12: apt-get install python3 python3-venv) and put it first on PATH"
echo "    $(command -v python3): $(python3 --version 2>&1)"

step "uv"
if ! UV=$("$ROOT/scripts/uv" --which 2>/dev/null); then
  echo "    uv is not on PATH: installing uv==$UV_VERSION into $TOOLS (python3 -m venv + pip)"
  rm -rf "$TOOLS"
  mkdir -p "$(dirname "$TOOLS")"
  python3 -m venv "$TOOLS" \
    || die "\`python3 -m venv\` failed: install the venv module (Debian: apt-get install python3-venv)"
  "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" \
    || die "could not install uv==$UV_VERSION from PyPI into $TOOLS (is PyPI reachable?)"
  UV=$("$ROOT/scripts/uv" --which) || die "uv was installed into $TOOLS but cannot be found there"
fi
echo "    uv: $UV ($("$UV" --version))"

step "java: needs 17+ (runs Kafka)"
command -v java >/dev/null 2>&1 \
  || die "java not found: install Java 17+, e.g. apt-get install openjdk-17-jdk-headless"
JAVA_VERSION=$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n1)
JAVA_MAJOR=${JAVA_VERSION%%.*}
[ "$JAVA_MAJOR" = 1 ] && JAVA_MAJOR=$(echo "$JAVA_VERSION" | cut -d. -f2)  # "1.8.0" is Java 8
[ "${JAVA_MAJOR:-0}" -ge 17 ] 2>/dev/null \
  || die "java is version '${JAVA_VERSION:-unknown}' ($(command -v java)), Kafka needs 17+: apt-get install openjdk-17-jdk-headless"
echo "    $(command -v java): Java $JAVA_VERSION"

step "mvn: resolves Kafka's jars from Maven Central (first set-up)"
command -v mvn >/dev/null 2>&1 || die "mvn (Maven) not found: apt-get install maven"
echo "    $(command -v mvn): $(mvn -v 2>/dev/null | head -n1 | sed 's/\x1b\[[0-9;]*m//g')"

step "go: builds FerretDB from the Go module proxy (first set-up), needs 1.24+"
command -v go >/dev/null 2>&1 \
  || die "go not found: install Go 1.24+ (the Go toolchain from go.dev/dl, or Debian's golang-go if it is 1.24+) and put its bin directory on PATH"
GO_VERSION=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
GO_MINOR=$(echo "$GO_VERSION" | cut -d. -f2)
[ "${GO_VERSION%%.*}" = 1 ] && [ "${GO_MINOR:-0}" -ge 24 ] 2>/dev/null \
  || die "go is version '${GO_VERSION:-unknown}' ($(command -v go)), FerretDB needs 1.24+: install a newer Go toolchain"
echo "    $(command -v go): go $GO_VERSION"

step "uv sync --all-packages --frozen (the virtualenv $ROOT/.venv from uv.lock)"
cd "$ROOT"
[ -f uv.lock ] || die "uv.lock is missing: run \`uv lock\` and commit uv.lock"
if ! "$UV" lock --check >/dev/null 2>&1; then
  echo "    WARNING: uv.lock is out of date with the pyproject.toml files: run \`uv lock\` and commit" \
       "uv.lock; installing what uv.lock says for now" >&2
fi
"$UV" sync --all-packages --frozen

step "node + npm: the AsyncAPI project's parser checks the generated AsyncAPI documents (tests)"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
  || die "node/npm not found: install Node.js 18+ with npm (Debian: apt-get install nodejs npm)"
CHECKER="$ROOT/tools/asyncapi-check"
if ! cmp -s "$CHECKER/package-lock.json" "$CHECKER/node_modules/.installed-from-lock" 2>/dev/null; then
  npm ci --prefix "$CHECKER" --no-audit --no-fund --ignore-scripts --loglevel=error \
    || die "npm ci in tools/asyncapi-check failed (npm registry unreachable?): retry, or check npm's proxy settings"
  cp "$CHECKER/package-lock.json" "$CHECKER/node_modules/.installed-from-lock"
else
  echo "    tools/asyncapi-check: up to date"
fi
step "ready (uv: $UV)"
