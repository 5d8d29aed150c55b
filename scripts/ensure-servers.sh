#!/usr/bin/env bash
# Makes sure redis-server and PostgreSQL's initdb/pg_ctl are installed; the tests start their own
# instances on free loopback ports. Installs them with apt when root or with sudo.
set -euo pipefail

have_postgres() { command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }
have_redis() { command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; }

if have_postgres && have_redis; then exit 0; fi

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
  echo "The tests need redis-server and PostgreSQL (initdb, pg_ctl)." >&2
  echo "Install them (Debian/Ubuntu: apt-get install -y redis-server postgresql) and run again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "No apt-get here: install redis-server and PostgreSQL 15+ with your package manager." >&2
  exit 1
fi
echo "Installing redis-server and postgresql with apt…"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq redis-server postgresql >/dev/null
# Debian starts its own servers on install; the tests use their own, so stop these.
$sudo service redis-server stop >/dev/null 2>&1 || true
$sudo service postgresql stop >/dev/null 2>&1 || true
