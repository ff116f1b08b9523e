#!/usr/bin/env bash
# Installs the Debian packages secpipe's tests need, when missing and when we can (root).
set -euo pipefail
needed=()
command -v wapiti >/dev/null 2>&1 || needed+=(wapiti)
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v npm >/dev/null 2>&1 || needed+=(npm)
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "secpipe: not root, so not installing ${needed[*]}; the tests that need them will skip" >&2
  exit 0
fi
echo "secpipe: installing ${needed[*]} from apt" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
