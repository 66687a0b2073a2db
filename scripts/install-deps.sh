#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh - install the Debian 12 packages needed to build upsplan and run its demo, or with --test its whole test suite (only the missing ones; silent when none is).
#
# Run as root on Debian 12 (bookworm).  As another user it only checks, and
# exits 1 with the apt-get command to run when something is missing.
#   bash scripts/install-deps.sh          build + demo (scripts/demo.sh)
#   bash scripts/install-deps.sh --test   and the test suite's own tools
set -eu

# the build, and the NUT peers the demo runs upsplan against
PACKAGES="build-essential autoconf automake pkg-config flex bison libssl-dev
libevent-dev libcurl4-openssl-dev libjansson-dev libpcre2-dev scdoc ca-certificates
openssl nut-server nut-client libnss3-tools"
# only the test suite: sanitizers, valgrind, stunnel front ends, the
# manual-page checkers, the packaging tools (dpkg-buildpackage, dh,
# lintian), systemd-analyze for the unit's checks, and the Prometheus and
# Alertmanager that the metrics and alert tests run against (with curl,
# their HTTP client)
TEST_PACKAGES="valgrind clang libclang-rt-14-dev time git stunnel4 mandoc
groff-base man-db dpkg-dev debhelper lintian systemd prometheus
prometheus-alertmanager curl"

case "${1-}" in
"") ;;
--test) PACKAGES="$PACKAGES $TEST_PACKAGES" ;;
*)
	echo "install-deps.sh: unknown argument '$1': give none (build and demo) or --test (and the test suite)" >&2
	exit 2
	;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps.sh: dpkg-query not found: this is not a Debian system." >&2
	echo "install-deps.sh: install the equivalents of: $(echo "$PACKAGES" | tr '\n' ' ')" >&2
	exit 1
fi

missing=
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
missing=${missing# }
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: missing Debian packages: $missing" >&2
	echo "install-deps.sh: as root, run: apt-get update && apt-get install -y --no-install-recommends $missing" >&2
	exit 1
fi

echo "install-deps.sh: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # one word per package
apt-get install -y -qq --no-install-recommends $missing
echo "install-deps.sh: done"
