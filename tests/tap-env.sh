# tap-env.sh - sourced by the TAP scripts of tests/: locale, source dir and the upsplan binary under test.
# Sets: srcdir (top of the source tree; env top_srcdir, else the directory
# above the sourcing script), upsplan (absolute; env UPSPLAN, else
# ./upsplan).  need_upsplan bails out when the binary is missing.
# tap_ok NAME, tap_not_ok NAME [LINE...] (the lines as TAP comments) and
# tap_skip WHY NAME... print numbered results; tap_failed counts failures.
LC_ALL=C
NO_COLOR=1
export LC_ALL NO_COLOR

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "${top_srcdir:-$here/..}" && pwd)
upsplan=${UPSPLAN:-./upsplan}
case $upsplan in
/*) ;;
*) upsplan=$(pwd)/$upsplan ;;
esac

need_upsplan() {
	if [ ! -x "$upsplan" ]; then
		echo "Bail out! $upsplan is not an executable (build it first, or set UPSPLAN)"
		exit 1
	fi
}

tap_n=0
tap_failed=0
tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}
tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for _tap_line in "$@"; do
		printf '%s\n' "$_tap_line" | sed 's/^/# /'
	done
}
tap_skip() {
	_tap_why=$1
	shift
	for _tap_t in "$@"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $_tap_t # SKIP $_tap_why"
	done
}
