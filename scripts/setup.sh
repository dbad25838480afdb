#!/usr/bin/env bash
# Installs the system libraries Herald builds against, when they are missing (Debian/Ubuntu).
# Idempotent: does nothing when everything is there.
set -euo pipefail
# curl: the tests run the README's curl examples as written.
# postgresql: the tests run Herald on PostgreSQL too (scripts/with-postgres starts a throw-away cluster).
packages=(libicu-dev libsqlite3-dev libphonenumber-dev pkg-config curl postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "herald setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "herald setup: Swift 6 is required (swift not found on PATH)" >&2; exit 1; }
