# SPDX-License-Identifier: GPL-2.0-or-later
# daemon-lib.sh - sourced by the daemon's TAP tests (it sources peers.sh): TAP counters, starting and stopping `upsplan run`, waiting for log lines.
#
# POSIX sh, safe under `set -eu`.  It sources peers.sh (beside it) and sets
# LC_ALL=C.  Use:
#
#	. "$(cd "$(dirname "$0")" && pwd)/daemon-lib.sh"
#	dm_skip_unless_peers [CMD...]	# "1..0 # SKIP ..." without the packages, or without a command CMD
#	peers_init; ...; peers_start tls
#	dm_setup			# after peers_init
#	dm_plan NAME <<EOF ... EOF	# $PEERS_DIR/NAME.conf, mode 0600
#	dm_start NAME [OPTION...]	# upsplan run -F on NAME.conf; DM_PID
#	dm_wait NAME.out PATTERN SECONDS   # 0 once the file has a matching line
#	dm_stop NAME			# TERM, wait; DM_STATUS is its exit status
#	dm_run_fail PLAN NAME STATUS PATTERN OPTION...	# a start refused: one test
#
# Started as root, the daemon monitors as user nobody (-u nobody): the
# peers' directory is made readable to it and $PEERS_DIR/act is a
# directory every user may write in, for the harmless actions of the
# test plans.  Started as another user, the daemon is that user.
#
# Environment: UPSPLAN (the program; make check sets it), PEERS_BINDIR,
# UPSPLAN_VALGRIND (a command put in front of upsplan, e.g. valgrind with
# its options: scripts/test.sh runs some of these tests so).

LC_ALL=C
export LC_ALL
# shellcheck source=tests/daemon/peers.sh
command -v peers_init >/dev/null 2>&1 || . "$(cd "$(dirname "$0")" && pwd)/peers.sh"
: "${UPSPLAN:=./upsplan}"
n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

# tap_skip WHY NAME...: each NAME an ok result skipped for WHY (as tap-env.sh's)
tap_skip() {
	_sk_why=$1
	shift
	for _sk_t in "$@"; do
		ok "$_sk_t # SKIP $_sk_why"
	done
}

# not_ok NAME [LINE...]: a failed check, with LINEs as TAP comments; the temp dir is kept
not_ok() {
	n=$((n + 1))
	PEERS_KEEP=1
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

# check NAME CMD...: ok when CMD succeeds, else not ok
check() {
	_ck_name=$1
	shift
	if "$@"; then
		ok "$_ck_name"
	else
		not_ok "$_ck_name" "failed: $*"
	fi
}

# dm_done: at the end of a test, the logs as TAP comments when a check failed
dm_done() {
	if [ -n "${PEERS_KEEP:-}" ]; then
		dm_show | sed 's/^/# /'
	fi
}

# the logs of every daemon started so far
dm_show() {
	for _sh_f in "$PEERS_DIR"/*.err "$PEERS_DIR"/*.out "$PEERS_DIR"/*.trace; do
		[ -f "$_sh_f" ] || continue
		echo "--- ${_sh_f##*/}"
		tail -n 15 "$_sh_f"
	done
}

dm_skip_unless_peers() {
	if ! _sk_missing=$(peers_available); then
		echo "1..0 # SKIP missing Debian packages: $_sk_missing"
		exit 0
	fi
	for _sk_cmd in "$@"; do
		if ! command -v "$_sk_cmd" >/dev/null 2>&1; then
			echo "1..0 # SKIP missing: $_sk_cmd (scripts/install-deps.sh --test installs it)"
			exit 0
		fi
	done
	if [ ! -x "$UPSPLAN" ]; then
		echo "1..0 # SKIP $UPSPLAN is not built"
		exit 0
	fi
}

dm_setup() {
	DM_USER_OPT=
	if [ "$(id -u)" -eq 0 ]; then
		DM_USER_OPT="-u nobody"
		# the unprivileged child reads the CA and client certificates
		chmod a+rx "$PEERS_DIR"
		[ -d "$PEERS_DIR/pki" ] && chmod -R a+rX "$PEERS_DIR/pki"
	fi
	mkdir -p "$PEERS_DIR/act"
	chmod 1777 "$PEERS_DIR/act"
}

# dm_plan NAME: the plan on standard input becomes $PEERS_DIR/NAME.conf
dm_plan() {
	cat >"$PEERS_DIR/$1.conf"
	chmod 600 "$PEERS_DIR/$1.conf"
}

# dm_start NAME [OPTION...]: upsplan run in the foreground on NAME.conf,
# output in NAME.out, log in NAME.err, trace in NAME.trace, state file
# NAME-state/state.json and POWERDOWNFLAG NAME.killpower (never the
# system's /etc/killpower; an OPTION --state-file or --powerdownflag
# overrides them; DM_POWERDOWNFLAG set and empty: upsplan's default);
# with --allow-warnings, as the test plans are minimal (DM_ALLOW_WARNINGS
# set and empty: without, so a plan with a hazard W-code is refused);
# sets DM_PID and DM_PID_<NAME>.  The process is recorded: peers_stop
# stops it too.
dm_start() {
	_st_name=$1
	shift
	# as root the daemon makes the state directory for the monitoring user
	[ -n "$DM_USER_OPT" ] || mkdir -p "$PEERS_DIR/$_st_name-state"
	# shellcheck disable=SC2086 # UPSPLAN_VALGRIND and DM_USER_OPT are words
	${UPSPLAN_VALGRIND:-} "$UPSPLAN" run -F $DM_USER_OPT -p "$PEERS_DIR/$_st_name.pid" --trace "$PEERS_DIR/$_st_name.trace" \
		--state-file "$PEERS_DIR/$_st_name-state/state.json" \
		${DM_POWERDOWNFLAG-"--powerdownflag=$PEERS_DIR/$_st_name.killpower"} ${DM_ALLOW_WARNINGS---allow-warnings} \
		--hostname "${DM_HOSTNAME:-testhost}" "$@" "$PEERS_DIR/$_st_name.conf" \
		>"$PEERS_DIR/$_st_name.out" 2>"$PEERS_DIR/$_st_name.err" </dev/null &
	DM_PID=$!
	eval "DM_PID_$_st_name=\$DM_PID"
	_peers_record "upsplan-$_st_name" "$DM_PID"
}

# dm_run_fail PLAN NAME STATUS PATTERN OPTION...: upsplan run -F on
# $PEERS_DIR/PLAN.conf with OPTIONs (no state file, no POWERDOWNFLAG, at
# most 60 s) exits STATUS, saying PATTERN on standard error: the test NAME
# (output in fail.out and fail.err)
dm_run_fail() {
	_rf_plan=$1 _rf_name=$2 _rf_want=$3 _rf_pat=$4
	shift 4
	set +e
	# shellcheck disable=SC2086 # DM_USER_OPT is words
	timeout 60 "$UPSPLAN" run -F $DM_USER_OPT -p "$PEERS_DIR/fail.pid" --state-file none --powerdownflag none \
		--allow-warnings "$@" "$PEERS_DIR/$_rf_plan.conf" >"$PEERS_DIR/fail.out" 2>"$PEERS_DIR/fail.err" </dev/null
	_rf_st=$?
	set -e
	if [ "$_rf_st" -eq "$_rf_want" ] && grep -q -- "$_rf_pat" "$PEERS_DIR/fail.err"; then
		ok "$_rf_name"
	else
		not_ok "$_rf_name" "status $_rf_st (expected $_rf_want)" "$(cat "$PEERS_DIR/fail.err")"
	fi
}

# dm_until SECONDS CMD...: 0 as soon as CMD succeeds (tried every 0.1 s,
# peers.sh's _peers_wait_until), 1 after SECONDS (whole seconds)
dm_until() {
	_du_timeout=${PEERS_TIMEOUT-}
	PEERS_TIMEOUT=$1
	shift
	_du_rc=0
	_peers_wait_until "$@" || _du_rc=$?
	PEERS_TIMEOUT=$_du_timeout
	return "$_du_rc"
}

# _dm_has FILE PATTERN: $PEERS_DIR/FILE has a line matching PATTERN
_dm_has() {
	[ -f "$PEERS_DIR/$1" ] && grep -q -- "$2" "$PEERS_DIR/$1"
}

# _dm_at_least FILE PATTERN N: N lines of $PEERS_DIR/FILE match PATTERN
_dm_at_least() {
	[ "$(dm_count "$1" "$2")" -ge "$3" ]
}

# dm_wait FILE PATTERN SECONDS: 0 as soon as $PEERS_DIR/FILE has a line
# matching the basic regular expression PATTERN, 1 after SECONDS
dm_wait() {
	dm_until "$3" _dm_has "$1" "$2"
}

# dm_wait_count FILE PATTERN N SECONDS: wait until N lines of $PEERS_DIR/FILE match PATTERN
dm_wait_count() {
	dm_until "$4" _dm_at_least "$1" "$2" "$3"
}

# dm_count FILE PATTERN: how many lines of $PEERS_DIR/FILE match
dm_count() {
	if [ -f "$PEERS_DIR/$1" ]; then
		grep -c -- "$2" "$PEERS_DIR/$1" || true
	else
		echo 0
	fi
}

# dm_stop NAME: SIGTERM to the daemon NAME, wait for it (at most 20 s,
# then SIGKILL); DM_STATUS is its exit status
dm_stop() {
	eval "_sp_pid=\$DM_PID_$1"
	kill -TERM "$_sp_pid" 2>/dev/null || true
	_sp_i=0
	while kill -0 "$_sp_pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$_sp_pid/stat" 2>/dev/null)" != Z ]; do
		_sp_i=$((_sp_i + 1))
		if [ "$_sp_i" -ge 200 ]; then
			kill -KILL "$_sp_pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	set +e
	wait "$_sp_pid"
	DM_STATUS=$?
	set -e
}

# dm_set_dev UPS STATUS [LINE...]: the dummy-ups file $PEERS_DIR/UPS.dev
# says ups.status STATUS, battery.charge 100, then each LINE ("variable:
# value", e.g. "battery.runtime: 240") (an atomic rename; dummy-ups
# notices a new file by its mtime in whole seconds, so never two changes
# in one second: the second would be lost)
dm_set_dev() {
	while [ "$(date +%s)" = "${_sd_last:-}" ]; do
		sleep 0.1
	done
	_sd_last=$(date +%s)
	_sd_ups=$1
	printf 'ups.status: %s\nbattery.charge: 100\n' "$2" >"$PEERS_DIR/$_sd_ups.tmp"
	shift 2
	for _sd_line in "$@"; do
		printf '%s\n' "$_sd_line" >>"$PEERS_DIR/$_sd_ups.tmp"
	done
	mv "$PEERS_DIR/$_sd_ups.tmp" "$PEERS_DIR/$_sd_ups.dev"
}

# dm_events FILE: the trace lines of $PEERS_DIR/FILE without their times
# and without simulate's own notes ("note", "end"): what happened, in order
# (a timer's deadline, a time too, becomes T)
dm_events() {
	awk '$4 != "note" && $4 != "end" {
		$1 = ""; sub(/^ +/, ""); gsub(/  +/, " "); sub(/expires at [0-9.]+/, "expires at T"); print
	}' "$PEERS_DIR/$1"
}
