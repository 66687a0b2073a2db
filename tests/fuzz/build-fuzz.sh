#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# build-fuzz.sh - build a libFuzzer target (tests/fuzz/fuzz-TARGET.c) with clang, ASan and UBSan, straight from the sources.
#
# usage: build-fuzz.sh [--target plan|image|nut|scenario|frames|nutconf] [--roundtrip] [-o OUTPUT]
#   plan (default): the front end (lexer, parser, semantic pass, printer);
#   --roundtrip also checks that the printed plan parses and prints the
#   same again.  image (also --image): the image decoder, verifier,
#   disassembler and VM.  nut: the NUT reply parser and request writer
#   (runtime/daemon/nut-proto.c).  scenario: the scenario parser and the
#   simulator (runtime/sim/, runtime/cli/cmd-simulate.c) against a fixed
#   plan.  frames: the privsep frame reader (runtime/daemon/privsep-frames.c).
#   nutconf: the reader of NUT's configuration files (runtime/migrate/nutconf.c).
#   OUTPUT defaults to ./fuzz-build/fuzz-TARGET (-roundtrip).
#   flex and bison generate the scanner and parser into a scratch
#   directory, so a fresh checkout needs no configure run; CC (default
#   clang) and FUZZ_CFLAGS may be overridden (e.g. FUZZ_CFLAGS='-g -O1
#   -DFUZZ_IMAGE_GROWS' for fuzz-image's check that the VM never grows a
#   buffer).
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
roundtrip=
target=plan
out=
while [ $# -gt 0 ]; do
	case $1 in
	--roundtrip) roundtrip=-DFUZZ_ROUNDTRIP ;;
	--image) target=image ;;
	--target) [ $# -ge 2 ] || { echo "build-fuzz.sh: --target needs a name" >&2; exit 2; }
		target=$2; shift ;;
	-o) [ $# -ge 2 ] || { echo "build-fuzz.sh: -o needs a file name" >&2; exit 2; }
		out=$2; shift ;;
	-h|--help) sed -n '3,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "build-fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $target in
plan|image|nut|scenario|frames|nutconf) ;;
*) echo "build-fuzz.sh: the target is plan, image, nut, scenario, frames or nutconf, not '$target'" >&2; exit 2 ;;
esac
if [ -n "$roundtrip" ] && [ $target != plan ]; then
	echo "build-fuzz.sh: --roundtrip is for the plan target only" >&2
	exit 2
fi
if [ -z "$out" ]; then
	out=fuzz-build/fuzz-$target${roundtrip:+-roundtrip}
fi

CC=${CC:-clang}
FLEX=${FLEX:-flex}
BISON=${BISON:-bison}
CFLAGS=${FUZZ_CFLAGS:--g -O1 -fno-omit-frame-pointer}
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

for tool in "$CC" "$FLEX" "$BISON"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "build-fuzz.sh: $tool not found (apt-get install clang libclang-rt-dev flex bison)" >&2
		exit 2
	}
done

gen=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-fuzz-gen.XXXXXX")
trap 'rm -rf "$gen"' EXIT INT TERM
mkdir -p "$gen/grammar" "$(dirname "$out")"

# the grammar, as the automake rules build it (AM_YFLAGS, lexer.l's options)
"$BISON" -d -Wall -Wno-yacc -o "$gen/grammar/parser.c" "$srcdir/grammar/parser.y"
"$FLEX" -o "$gen/grammar/lexer.c" "$srcdir/grammar/lexer.l"
# the sources need only config.h's package strings
cat > "$gen/config.h" <<'EOH'
/* config.h - stand-in for the configured header, written by build-fuzz.sh. */
/* as configure's AC_USE_SYSTEM_EXTENSIONS: qsort_r, open_memstream, ... */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
#define PACKAGE "upsplan"
#define PACKAGE_NAME "upsplan"
#define PACKAGE_VERSION "fuzz"
#define PACKAGE_STRING "upsplan fuzz"
#define VERSION "fuzz"
EOH

# the front end and the engine (every target but nut, frames and nutconf)
srcs=
if [ $target != nut ] && [ $target != frames ] && [ $target != nutconf ]; then
	for f in "$srcdir"/base/*.c "$srcdir"/grammar/*.c "$srcdir"/engine/*.c; do
		case ${f##*/} in
		lexer.c|parser.c) ;;	# generated: the fresh copies in $gen are used
		*) srcs="$srcs $f" ;;
		esac
	done
	srcs="$gen/grammar/lexer.c $gen/grammar/parser.c$srcs"
fi
case $target in
nut) srcs="$srcdir/runtime/daemon/nut-proto.c" ;;
frames) srcs="$srcdir/runtime/daemon/privsep-frames.c" ;;
nutconf) srcs="$srcdir/runtime/migrate/nutconf.c $srcdir/base/xalloc.c" ;;
# fuzz-scenario.c includes scenario.c, sim.c and cmd-simulate.c itself (their file access goes to the input)
scenario) srcs="$srcs $srcdir/runtime/common/sim-trace.c $srcdir/runtime/cli/cli.c" ;;
esac

# base/json.c writes JSON with jansson (libjansson-dev)
jansson=$(pkg-config --cflags --libs jansson 2>/dev/null || echo -ljansson)
# engine/regex.c compiles the language's patterns with PCRE2 (libpcre2-dev), 8-bit code units as in the build
pcre2="-DPCRE2_CODE_UNIT_WIDTH=8 $(pkg-config --cflags --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)"

# -I"$gen" first: its config.h and grammar/parser.h win over a configured tree's
# shellcheck disable=SC2086
"$CC" $CFLAGS $SAN $roundtrip -I"$gen" -I"$srcdir" \
	-o "$out" "$srcdir/tests/fuzz/fuzz-$target.c" $srcs $jansson $pcre2 -lm
echo "build-fuzz.sh: built $out"
