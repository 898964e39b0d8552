#!/usr/bin/env bash
# Installs the Debian packages the project needs, when they are missing:
# chromium (browser tests), CJK fonts (pages rendered in tests; Noto Serif CJK for the printed
# agreement), HarfBuzz's subsetter and Pango (WeasyPrint's font subsetting and text layout),
# poppler-utils (pdftoppm/pdftotext: the PDF layout test), zbar (the QR-code decoding test) and
# pgbouncer (tests/core/test_pgbouncer_tenancy.py and bench-scale run the tenancy through it).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# Captured first: `fc-list | grep -q` under pipefail fails when grep stops reading early.
fonts="$(fc-list 2>/dev/null || true)"
libs="$(ldconfig -p 2>/dev/null || true)"
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
grep -qi "Noto Serif CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
has_lib() { grep -q "$1" <<<"$libs"; }
has_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
has_lib libpangoft2-1.0.so.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
has_lib libzbar.so.0 || need+=(libzbar0)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || need+=(pgbouncer)
[ ${#need[@]} -eq 0 ] && exit 0
# fonts-noto-cjk may be listed twice.
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if ! command -v apt-get >/dev/null; then
  echo "Missing: ${need[*]}. Install them with your package manager (Chromium, Noto CJK fonts," >&2
  echo "HarfBuzz subset, Pango, zbar, poppler-utils), or set CHROMIUM_PATH to a Chromium binary." >&2
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
