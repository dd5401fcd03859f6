#!/usr/bin/env bash
# Installs the Debian packages the app and its tests use, when they are missing:
# espeak-ng (offline reference audio), sox, chromium + chromium-driver (real-browser tests).
set -euo pipefail
needed=()
command -v espeak-ng >/dev/null 2>&1 || needed+=(espeak-ng)
command -v sox >/dev/null 2>&1 || needed+=(sox)
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v chromedriver >/dev/null 2>&1 || needed+=(chromium-driver)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${needed[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt_get=(sudo apt-get)
else
  echo "Cannot install ${needed[*]}: run as root or install them yourself." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
