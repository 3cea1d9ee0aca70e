#!/usr/bin/env bash
# Debian's Chromium and a Chinese font, for the board's browser test (tests/e2e/test_board_page.py):
# installed with apt-get when missing (as root). Playwright drives /usr/bin/chromium; it never
# downloads a browser. Without root this only says what to install, and the browser test fails
# with the same advice.
set -euo pipefail
exec 1>&2

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)  # the page is in Chinese
if [ ${#missing[@]} -eq 0 ]; then
  echo "==> chromium: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "==> chromium: WARNING: missing ${missing[*]}; the board's browser test needs them:" \
       "apt-get install -y ${missing[*]}"
  exit 0
fi
echo "==> chromium: apt-get install -y ${missing[*]} (the board's browser test)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null \
  || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; } \
  || { echo "chromium: apt-get install ${missing[*]} failed" >&2; exit 2; }
echo "    $(/usr/bin/chromium --version)"
