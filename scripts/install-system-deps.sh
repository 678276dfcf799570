#!/usr/bin/env bash
# Installs the system packages the project needs, where they are missing.
#   Pango (text layout) and HarfBuzz-subset (fast, reproducible font subsetting:
#   without it WeasyPrint falls back to fontTools, which stamps the current time
#   into each embedded font and makes PDFs differ from run to run).
# PDFs use only the fonts in fonts/ (the fallbacks for Hebrew, Arabic, CJK and symbols are vendored there).
# For the tests: the same fallback fonts for the browser (HTML pages use the machine's fonts beside the web
# font), Chromium (runs the HTML worksheet's own JavaScript and axe-core), pdftk (one of the
# programs the fillable worksheets are filled with) and poppler-utils (pdftoppm, for page images).
# --build-only: only what building documents needs (for CI jobs that build and do not test).
# Debian/Ubuntu: installs with apt-get (through sudo when not root).
# Elsewhere: says what to install and exits 1.
set -euo pipefail
build_only=false
[ "${1:-}" = "--build-only" ] && build_only=true

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

missing=()
have_lib 'libpango-1.0.so.0'       || missing+=(libpango-1.0-0)
have_lib 'libpangoft2-1.0.so.0'    || missing+=(libpangoft2-1.0-0)
have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
have_lib 'libfontconfig.so.1'      || missing+=(libfontconfig1)
have_font() { fc-list 2>/dev/null | grep -qi "$1"; }
if ! $build_only; then
  have_font 'DejaVu Sans'           || missing+=(fonts-dejavu-core)
  have_font 'Droid Sans Fallback'   || missing+=(fonts-droid-fallback)
  have_font 'Symbola'               || missing+=(fonts-symbola)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v pdftk >/dev/null 2>&1 || missing+=(pdftk-java)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
fi

if [ ${#missing[@]} -eq 0 ]; then
  if $build_only; then echo "system packages: Pango and HarfBuzz-subset present"
  else echo "system packages: Pango, HarfBuzz-subset, fonts, Chromium, npm, pdftk and poppler-utils present"; fi
  exit 0
fi

echo "system packages missing: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Install Pango (>= 1.44) and HarfBuzz's subset library with your system's package manager," >&2
  echo "then run 'make' again. See https://doc.courtbouillon.org/weasyprint/stable/first_steps.html" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Not root and no sudo: run as root: apt-get install -y ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
