#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages GridReady needs when they are missing:
# WeasyPrint's Pango/HarfBuzz (harfbuzz-subset keeps Chinese PDFs fast and small), a CJK font, and the
# tools the browser tests and PDF checks use; with WITH_REDIS=1 also redis-server (CI runs the sign-in
# limit tests on it). As root it runs apt-get; otherwise it prints the command.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils)
if [ "${WITH_BROWSER:-1}" = "1" ]; then packages+=(chromium); fi
if [ "${WITH_REDIS:-0}" = "1" ]; then packages+=(redis-server redis-tools); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Please install with your package manager: ${missing[*]}" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
