# tap-env.sh - sourced by the TAP scripts of tests/: locale, source dir and the upsplan binary under test.
# Sets: srcdir (top of the source tree; env top_srcdir, else the directory
# above the sourcing script), upsplan (absolute; env UPSPLAN, else
# ./upsplan).  need_upsplan bails out when the binary is missing.
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
