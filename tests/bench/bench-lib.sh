# SPDX-License-Identifier: GPL-2.0-or-later
# bench-lib.sh - what the benchmark scripts share, sourced by them: the C locale, here (the script's directory), srcdir (the source tree) and abspath.

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)

# abspath PATH: PATH made absolute against the current directory
abspath() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$(pwd)/$1" ;;
	esac
}
