#!/usr/bin/env bash
# The Debian packages つなぐ needs beside its Python packages, checked (and installed when this
# machine allows it) before `make run`, `make test` and CI.
#
#   scripts/system-packages.sh run    what serving the portal needs (video, speech, fonts)
#   scripts/system-packages.sh test   run + what the test suite needs (browser, gettext, strace, slapd)
#   scripts/system-packages.sh ci     test + what the deployed-stack smoke test needs (nginx)
#
# Missing packages are installed with apt-get when running as root (or with password-less
# sudo); otherwise the script stops, names them and prints the command to run.
# SKIP_SYSTEM_PACKAGES=1 skips the check (e.g. a machine where they are installed elsewhere).
set -euo pipefail

profile="${1:-test}"
case "$profile" in run|test|ci) ;; *) echo "usage: $0 run|test|ci" >&2; exit 2 ;; esac
[ "${SKIP_SYSTEM_PACKAGES:-0}" = "1" ] && exit 0

need=()
check() {  # check PACKAGE TEST-COMMAND...
  local package="$1"; shift
  "$@" >/dev/null 2>&1 || need+=("$package")
}
has() { command -v "$1"; }

# Serving: ffmpeg converts videos, Open JTalk and its dictionary speak the rendered videos,
# the CJK fonts draw their scene frames and captions.
check ffmpeg has ffmpeg
check fonts-noto-cjk sh -c 'fc-list | grep -qi "Noto Sans CJK"'
check fontconfig has fc-list
check open-jtalk has open_jtalk
check open-jtalk-mecab-naist-jdic test -e /var/lib/mecab/dic/open-jtalk/naist-jdic/sys.dic
if [ "$profile" != run ]; then
  check chromium test -x /usr/bin/chromium          # the browser tests drive it
  check gettext has msgfmt
  check strace has strace                            # proves the voices make no network access
  check slapd test -x /usr/sbin/slapd                # the directory sign-in is tested against it
  check ldap-utils has ldapadd
fi
if [ "$profile" = ci ]; then
  check nginx test -x /usr/sbin/nginx                # the deployed-stack smoke test
  check default-jre-headless has java                # runs the Nu HTML checker (scripts/vnu.sh)
  check npm has npm                                  # installs it from the npm registry
fi

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif has sudo && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  as_root=(cannot)
fi
if [ "${as_root[0]:-}" = cannot ] || ! has apt-get; then
  echo "つなぐ needs these system packages, which are not installed: ${need[*]}" >&2
  echo "Install them as root, then run the command again:" >&2
  echo "  apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
