#!/usr/bin/env bash
# Installs the Debian packages the project needs, when they are missing:
# chromium (browser tests), CJK fonts (pages rendered in tests, PDFs) and pgbouncer
# (tests/core/test_pgbouncer_tenancy.py and bench-scale run the tenancy through it).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || need+=(pgbouncer)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing: ${need[*]}. Install Chromium and Noto CJK fonts with your package manager," >&2
  echo "or set CHROMIUM_PATH to a Chromium binary." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "Missing: ${need[*]}. Run as root: apt-get install -y ${need[*]}" >&2; exit 1; fi
fi
echo "Installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
