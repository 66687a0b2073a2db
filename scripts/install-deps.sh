#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh - install the Debian 12 packages needed to build and test upsplan (only the missing ones; silent when none is).
#
# Run as root on Debian 12 (bookworm).  As another user it only checks, and
# exits 1 with the apt-get command to run when something is missing.
set -eu

PACKAGES="build-essential autoconf automake pkg-config flex bison libssl-dev
libevent-dev libcurl4-openssl-dev libjansson-dev valgrind clang
libclang-rt-14-dev time git ca-certificates openssl nut-server nut-client
libnss3-tools stunnel4 scdoc mandoc groff-base man-db"

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
