#!/usr/bin/env bash
# Installs PostgreSQL for the config-store tests (test/support/postgres.ts starts a throwaway
# cluster from /usr/lib/postgresql/<version>/bin). Idempotent: does nothing when initdb is there.
# Debian's package also starts a system cluster; the tests never use it.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
