#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-files.sh - TAP: every file upsplan reads (included files too) is refused at once when it is a FIFO, a device or a directory; upsplan run refuses a plan, or an included file, others can change (E110).
#
# Each entry point that reads a file (plan, image, scenario, dummy-ups
# file, --expect, password files of generate, --utmp, --smtp-cafile,
# CERTFILE, CLIENTCERT, CLIENTKEY, -l and --trace as root) is given a FIFO,
# /dev/null and a directory: it must end within 5 s (a blocking open()
# of a FIFO waits for a writer forever), fail, and say what the file is.
# Then upsplan run --check-only (a upsd port nothing listens on) with
# plans and images that others can change, at start.
# Environment: UPSPLAN (default ./upsplan), top_srcdir.  Scratch files: a
# mktemp -d directory under TMPDIR (its modes matter to E110), removed at
# the end unless a test failed.
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan

work=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-files.XXXXXX")
work=$(cd "$work" && pwd -P)
chmod 755 "$work"	# the monitoring user (nobody) reaches the files
cd "$work"

# run CMD...: at most 5 s (then killed), no input; STATUS, output in out
run() {
	set +e
	timeout -k 1 5 "$@" </dev/null >out 2>&1
	status=$?
	set -e
}

# refused NAME PATTERN CMD...: CMD ends within 5 s, fails, and prints PATTERN (fixed text)
refused() {
	_rf_name=$1
	_rf_pat=$2
	shift 2
	run "$@"
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		not_ok "$_rf_name" "still waiting after 5 s: killed"
	elif [ "$status" -ne 0 ] && grep -qF -- "$_rf_pat" out; then
		ok "$_rf_name"
	else
		not_ok "$_rf_name" "exit $status, expected a failure saying: $_rf_pat; output:" "$(head -n 5 out)"
	fi
}

root=0
user_opt=
if [ "$(id -u)" -eq 0 ]; then
	root=1
	user_opt="-u nobody"
fi
# a port of 127.0.0.1 nothing listens on
port=$("${PEERS_BINDIR:-$(dirname "$upsplan")/tests/daemon}/freeport" 2>/dev/null || echo 9)

# the files: good ones, and the three kinds that are not regular files
mkfifo fifo
mkdir dir
cp "$srcdir/examples/standard.conf" plan.conf
chmod 600 plan.conf
printf 'at 0 set UPS-1 ups.status OL\nat 10 end\n' >good.scn
echo secret >pw
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem \
	-subj /CN=upsplan-test -days 2 >/dev/null 2>&1
chmod 644 key.pem
"$upsplan" compile plan.conf -o plan.upb

# plan NAME CERTFILE [CLIENTCERT [CLIENTKEY]]: a plan whose upsd does not listen
plan() {
	{
		echo "GROUP G HOST 127.0.0.1 PORT $port CERTFILE \"$2\" ${3:+CLIENTCERT \"$3\"} ${4:+CLIENTKEY \"$4\"}"
		echo "MONITOR u POWERVAL 1 UPSDUSER m PASSWORD \"p\" TYPE primary"
		echo "MINSUPPLIES 0"
	} >"$1"
	chmod 600 "$1"
}
plan ca-bad.conf "$work/BAD"
plan cert-bad.conf /etc/ssl/certs/ca-certificates.crt "$work/BAD"
plan key-bad.conf /etc/ssl/certs/ca-certificates.crt "$work/cert.pem" "$work/BAD"

echo "1..$((3 * 18 + 12))"

for kind in fifo devnull dir; do
	case $kind in
	fifo)
		bad=$work/fifo
		what="is a FIFO (named pipe)"
		;;
	devnull)
		bad=/dev/null
		what="is a character device"
		;;
	dir)
		bad=$work/dir
		what="is a directory"
		;;
	esac
	for f in ca-bad cert-bad key-bad; do
		sed "s|$work/BAD|$bad|" "$f.conf" >"$f-$kind.conf"
		chmod 600 "$f-$kind.conf"
	done
	printf 'at 0 dummy UPS-1 %s\nat 10 end\n' "$bad" >"dummy-$kind.scn"
	printf 'INCLUDE "%s"\n' "$bad" >"include-$kind.conf"

	refused "check: $kind" "'$bad': it $what" "$upsplan" check "$bad"
	refused "compile: $kind" "'$bad': it $what" "$upsplan" compile "$bad" -o out.upb
	refused "check, an INCLUDE: $kind" "'$bad': it $what" "$upsplan" check "include-$kind.conf"
	refused "disasm: $kind" "'$bad': it $what" "$upsplan" disasm "$bad"
	refused "simulate, the plan: $kind" "'$bad': it $what" "$upsplan" simulate "$bad" good.scn
	refused "simulate, the scenario: $kind" "'$bad': it $what" "$upsplan" simulate plan.conf "$bad"
	refused "simulate, a dummy-ups file: $kind" "'$bad': it $what" "$upsplan" simulate plan.conf "dummy-$kind.scn"
	refused "simulate --expect: $kind" "'$bad': it $what" "$upsplan" simulate --expect="$bad" plan.conf good.scn
	refused "generate --password-file: $kind" "'$bad': it $what" \
		"$upsplan" generate timed --ups UPS-1 --password-file "$bad" -o gen.conf
	refused "generate --smtp-password-file: $kind" "'$bad': it $what" \
		"$upsplan" generate timed --ups UPS-1 --password-file pw --email-to root@example.org \
		--smtp-server mail.example.org --smtp-user u --smtp-password-file "$bad" -o gen.conf
	# shellcheck disable=SC2086 # user_opt is words
	refused "run, the plan: $kind" "'$bad': it $what" "$upsplan" run -F $user_opt "$bad"
	# shellcheck disable=SC2086
	refused "run --utmp: $kind" "'$bad': it $what" "$upsplan" run -F $user_opt --utmp "$bad" plan.conf
	# shellcheck disable=SC2086
	refused "run --smtp-cafile: $kind" "'$bad': it $what" "$upsplan" run -F $user_opt --smtp-cafile "$bad" plan.conf
	# shellcheck disable=SC2086
	refused "run, CERTFILE: $kind" "CERTFILE $bad $what, not a regular file" \
		"$upsplan" run --check-only $user_opt "ca-bad-$kind.conf"
	# shellcheck disable=SC2086
	refused "run, CLIENTCERT: $kind" "CLIENTCERT $bad $what, not a regular file" \
		"$upsplan" run --check-only $user_opt "cert-bad-$kind.conf"
	# shellcheck disable=SC2086
	refused "run, CLIENTKEY: $kind" "CLIENTKEY $bad $what, not a regular file" \
		"$upsplan" run --check-only $user_opt "key-bad-$kind.conf"
	if [ "$kind" = devnull ]; then
		# as root, the old code gave /dev/null itself to the monitoring user: never run that
		tap_skip "a device given away would be the machine's: /dev/null is not tried" "run -l: $kind" "run --trace: $kind"
	elif [ "$root" -eq 1 ]; then
		refused "run -l, as root: $kind" "'$bad' $what" "$upsplan" run -F -u nobody -l "$bad" plan.conf
		refused "run --trace, as root: $kind" "'$bad' $what" "$upsplan" run -F -u nobody --trace "$bad" plan.conf
	else
		tap_skip "not root: only root prepares the NUT log and the trace" "run -l: $kind" "run --trace: $kind"
	fi
done

# E110: upsplan run refuses a plan others can change
# e110 NAME FILE PATTERN: run --check-only FILE ends at once with E110 saying PATTERN, and its fix
e110() {
	_e_name=$1
	_e_file=$2
	_e_pat=$3
	# shellcheck disable=SC2086 # user_opt is words
	run "$upsplan" run --check-only $user_opt "$_e_file"
	if [ "$status" -eq 1 ] && grep -q "error: .*\[E110\]" out && grep -qF -- "$_e_pat" out &&
		grep -qF "note: run: chown root:nut '$_e_file' && chmod 640 '$_e_file'" out; then
		ok "$_e_name"
	elif [ "$status" -eq 1 ] && grep -q "error: .*\[E110\]" out && grep -qF -- "$_e_pat" out &&
		grep -qF "note: keep the plan in a directory only root can change" out; then
		ok "$_e_name"
	else
		not_ok "$_e_name" "exit $status, expected E110 saying: $_e_pat, and the fix; output:" "$(head -n 5 out)"
	fi
}
# accepted NAME FILE [CMD...]: the plan passes the check (run --check-only then fails on the port, not on E110)
accepted() {
	_a_name=$1
	_a_file=$2
	shift 2
	# shellcheck disable=SC2086
	run "$@" "$upsplan" run --check-only $user_opt "$_a_file"
	if ! grep -q "\[E110\]" out && grep -q "127.0.0.1:$port" out; then
		ok "$_a_name"
	else
		not_ok "$_a_name" "exit $status; output:" "$(head -n 5 out)"
	fi
}

plan good.conf /etc/ssl/certs/ca-certificates.crt
accepted "run: a plan only its owner can write is taken" good.conf
cp good.conf g660.conf
chmod 660 g660.conf
e110 "run: a plan its group can write is refused, with the fix" g660.conf \
	"'g660.conf' can be changed by its group (mode 0660)"
cp good.conf o606.conf
chmod 606 o606.conf
e110 "run: a plan every user can write is refused" o606.conf "can be changed by every user (mode 0606)"
"$upsplan" compile good.conf -o g660.upb
chmod 660 g660.upb
e110 "run: an image its group can write is refused" g660.upb "'g660.upb' can be changed by its group"
mkdir -m 777 open
cp good.conf open/p.conf
e110 "run: a plan in a directory others can write is refused, the directory named" open/p.conf \
	"directory '$work/open' can be changed by its group and every user (mode 0777)"
mkdir -m 777 open-inc
printf 'MINSUPPLIES 0\n' >open-inc/rules.conf
chmod 600 open-inc/rules.conf
{
	cat good.conf
	echo 'INCLUDE "open-inc/rules.conf"'
} >inc.conf
chmod 600 inc.conf
# shellcheck disable=SC2086 # user_opt is words
run "$upsplan" run --check-only $user_opt inc.conf
if [ "$status" -eq 1 ] && grep -qF "In file included from inc.conf:4:1:" out &&
	grep -qF "error: directory '$work/open-inc' can be changed by its group and every user (mode 0777)" out; then
	ok "run: an included file in a directory others can write is refused (E110), with the include chain"
else
	not_ok "run: an included file in a directory others can write is refused (E110)" "exit $status; output:" \
		"$(head -n 5 out)"
fi
mkdir -m 1777 sticky
cp good.conf sticky/p.conf
accepted "run: a plan in a sticky directory (as /tmp) is taken" sticky/p.conf
ln -s "$work/open/p.conf" link.conf
e110 "run: the directories are those of the real path (a link resolved)" link.conf "directory '$work/open'"
if [ "$root" -eq 1 ]; then
	cp good.conf nobody.conf
	chown nobody nobody.conf
	e110 "run as root: a plan that is not root's is refused" nobody.conf \
		"'nobody.conf' belongs to nobody (uid 65534), not to root"
	mkdir -m 755 nobodys
	cp good.conf nobodys/p.conf
	chown nobody nobodys
	e110 "run as root: a plan in a directory that is not root's is refused" nobodys/p.conf \
		"directory '$work/nobodys' belongs to nobody (uid 65534), not to root"
	# another user than root: the plan may be root's or that user's
	user_opt=
	chown nobody nobodys/p.conf
	accepted "run as nobody: a plan of nobody's is taken" nobodys/p.conf setpriv --reuid=nobody --regid=nogroup --clear-groups
	cp good.conf daemons.conf
	chown daemon daemons.conf
	chmod 644 daemons.conf
	set +e
	timeout -k 1 5 setpriv --reuid=nobody --regid=nogroup --clear-groups "$upsplan" run --check-only daemons.conf </dev/null >out 2>&1
	status=$?
	set -e
	if [ "$status" -eq 1 ] && grep -qF "'daemons.conf' belongs to daemon (uid 1), not to root or you" out; then
		ok "run as nobody: a plan of another user's is refused"
	else
		not_ok "run as nobody: a plan of another user's is refused" "exit $status; output:" "$(head -n 5 out)"
	fi
else
	tap_skip "not root: no file can be given to another user" "run as root: a plan that is not root's" \
		"run as root: a directory that is not root's" "run as another user: a plan of that user's" \
		"run as another user: a plan of another user's"
fi

cd /
if [ "$failed" -eq 0 ]; then
	rm -rf "$work"
else
	echo "# scratch files kept in $work"
fi
