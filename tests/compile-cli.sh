#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# compile-cli.sh - TAP: upsplan compile and disasm from the command line: image mode 0600, round trip, and every bad input refused clearly.
#
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files:
# tests/compile-cli.d in the current directory, kept when a test fails.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

tap_scratch compile-cli

# run NAME: run the rest of the command line, keep stdout, stderr and status
# expect STATUS PATTERN DESCRIPTION: last run exited STATUS and stderr matches PATTERN
expect() {
	if [ "$status" -eq "$1" ] && grep -q -- "$2" err; then
		ok "$3"
	else
		not_ok "$3" "exit $status (expected $1), stderr:" "$(cat err)"
	fi
}
# patch FILE OFFSET OCTAL: overwrite one byte
patch() {
	# shellcheck disable=SC2059 # the octal escape is the format on purpose
	printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

echo "1..27"
cp "$srcdir/examples/timed.conf" plan.conf
chmod 600 plan.conf

# 1-3: an image is written 0600 whatever the umask, also over a 0644 file
touch plan.upb
chmod 644 plan.upb
run sh -c "umask 022; exec \"$upsplan\" compile --hostname=h plan.conf -o plan.upb"
mode=$(stat -c %a plan.upb)
if [ "$status" -eq 0 ] && [ "$mode" = 600 ]; then
	ok "compile writes the image with mode 0600 (umask 022, existing 0644 file)"
else
	not_ok "compile writes the image with mode 0600" "exit $status, mode $mode" "$(cat err)"
fi
if ls plan.upb.tmp* >/dev/null 2>&1; then
	not_ok "no temporary file is left behind" "$(ls)"
else
	ok "no temporary file is left behind"
fi
"$upsplan" disasm --hostname=h plan.conf >src.lst 2>/dev/null
run "$upsplan" disasm plan.upb
if [ "$status" -eq 0 ] && cmp -s src.lst out; then
	ok "the image lists exactly like its source"
else
	not_ok "the image lists exactly like its source" "$(diff src.lst out | head -5)"
fi

# 4: a plan with errors writes nothing
printf 'POLLFREQ 0\n' >bad.conf
run "$upsplan" compile bad.conf -o bad.upb
if [ "$status" -eq 1 ] && [ ! -e bad.upb ] && grep -q 'E370' err; then
	ok "a plan with errors: exit 1, diagnostics, no image"
else
	not_ok "a plan with errors: exit 1, diagnostics, no image" "exit $status" "$(cat err)"
fi

# 5-10: usage errors
run "$upsplan" compile plan.conf
expect 2 "no output file: add -o IMAGE" "compile without -o"
run "$upsplan" compile -o x.upb
expect 2 "no PLAN given" "compile without a plan"
run "$upsplan" disasm plan.conf extra
expect 2 "one file at a time ('extra' is extra)" "disasm with two files"
run "$upsplan" disasm --bogus plan.conf
expect 2 "unknown option '--bogus'" "disasm with an unknown option"
run "$upsplan" disasm -o x plan.conf
expect 2 "option '-o/--output' is not one of disasm's: disasm prints to standard output" "disasm -o names the option, not its value"
run "$upsplan" compile plan.conf -o ''
expect 2 "-o wants the name of the image file to write" "compile -o with an empty name"
run "$upsplan" compile --opcodes plan.conf -o x.upb
expect 2 "option '--opcodes' is not one of compile's" "compile --opcodes"
run "$upsplan" compile "--hostname=a'b" plan.conf -o x.upb
expect 2 "\-\-hostname wants a name of 1 to 253 letters, digits, '.', '_' or '-', not 'a'b'" "a host name with a quote"
run "$upsplan" compile plan.conf -o "$work/no/such/dir/x.upb"
expect 2 "cannot create" "compile into a missing directory"

run "$upsplan" compile plan.conf -o ./plan.conf
if [ "$status" -eq 2 ] && grep -q "is the plan itself" err && cmp -s plan.conf "$srcdir/examples/timed.conf"; then
	ok "compile refuses to overwrite its own plan"
else
	not_ok "compile refuses to overwrite its own plan" "exit $status" "$(cat err)"
fi

# 11-17: damaged images are refused with the reason, never run
cp plan.upb trunc.upb
size=$(stat -c %s plan.upb)
dd if=plan.upb of=trunc.upb bs=1 count=$((size - 7)) 2>/dev/null
run "$upsplan" disasm trunc.upb
expect 2 "truncated image" "a truncated image"
dd if=plan.upb of=short.upb bs=1 count=10 2>/dev/null
run "$upsplan" disasm short.upb
expect 2 "truncated image: 10 bytes" "an image cut inside its header"
cp plan.upb flip.upb
patch flip.upb $((size / 2)) 377
run "$upsplan" disasm flip.upb
expect 2 "checksum mismatch" "one changed byte in the content"
cp plan.upb version.upb
patch version.upb 4 143
run "$upsplan" disasm version.upb
img_version=$(sed -n 's/^#define IMG_VERSION \([0-9]*\)u.*/\1/p' "$srcdir/engine/image.h")
expect 2 "format version 99; this upsplan reads version $img_version: compile the plan again" "an image of another format version"
cp plan.upb swapped.upb
patch swapped.upb 0 116; patch swapped.upb 1 114; patch swapped.upb 2 120; patch swapped.upb 3 125
run "$upsplan" disasm swapped.upb
expect 2 "other byte order" "an image written with the other byte order"
run "$upsplan" disasm "$work/none.upb"
expect 2 "none.upb" "a missing file"
printf 'not a plan\n' >text.upb
run "$upsplan" disasm text.upb
expect 1 "E300" "a text file is compiled as a plan source (and fails)"

# an image larger than the 256 MiB an image may take (a sparse file that
# starts like one) is refused before it is read
cp plan.upb big.upb
truncate -s 300M big.upb
if command -v /usr/bin/time >/dev/null 2>&1; then
	run /usr/bin/time -o rss -f %M "$upsplan" disasm big.upb
	rss=$(tail -n 1 rss)
else
	run "$upsplan" disasm big.upb
	rss=0
fi
if [ "$status" -eq 2 ] && grep -q "big.upb': larger than the 268435456 bytes it may take" err &&
	[ "$rss" -lt 65536 ]; then
	ok "an image file over 256 MiB is refused unread"
else
	not_ok "an image file over 256 MiB is refused unread" "exit $status, peak RSS $rss kB, stderr:" "$(cat err)"
fi
rm -f big.upb

# 18-19: the instruction set listing covers opcodes.def
run "$upsplan" disasm --opcodes
want=$(grep -c '^OP(' "$srcdir/base/opcodes.def")
got=$(wc -l <out)
if [ "$status" -eq 0 ] && [ "$want" = "$got" ] && grep -q '^STARTTIMER  *timer number' out; then
	ok "disasm --opcodes lists the $want opcodes"
else
	not_ok "disasm --opcodes lists the $want opcodes" "exit $status, $got lines"
fi
run "$upsplan" disasm --opcodes plan.conf
expect 2 "takes no file" "disasm --opcodes with a file"

# 20-21: help
run "$upsplan" help compile
if [ "$status" -eq 0 ] && grep -q 'mode 0600' out; then ok "help compile"; else not_ok "help compile" "exit $status"; fi
run "$upsplan" help disasm
if [ "$status" -eq 0 ] && grep -q 'Passwords are never shown' out; then ok "help disasm"; else not_ok "help disasm" "exit $status"; fi

# 22: the manual documents every opcode
missing=
for op in $(sed -n 's/^OP(\([A-Z]*\),.*/\1/p' "$srcdir/base/opcodes.def"); do
	grep -q "^| \`$op\` |" "$srcdir/docs/engine.md" || missing="$missing $op"
done
if [ -z "$missing" ]; then ok "docs/engine.md documents every opcode"; else not_ok "docs/engine.md documents every opcode" "missing:$missing"; fi

tap_done
exit 0
