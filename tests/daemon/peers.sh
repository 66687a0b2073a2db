# SPDX-License-Identifier: GPL-2.0-or-later
# peers.sh - sourced by the daemon's TAP tests: real NUT peers (dummy-ups, upsd with STARTTLS, stunnel front ends, a silent server) on 127.0.0.1 in a temp dir.
#
# POSIX sh, safe under `set -eu`.  Linux only (/proc is used to check that
# a PID still is the process we started).  Facts behind the choices:
# docs of the project's NUT peer measurements (real-peers.md), NUT 2.8.0.
#
# Use:
#
#	. "$(dirname "$0")/peers.sh"
#	if ! missing=$(peers_available); then echo "1..0 # SKIP missing: $missing"; exit 0; fi
#	peers_init "$(mktemp -d "${TMPDIR:-/tmp}/upsplan-peers.XXXXXX")"
#	printf 'ups.status: OL\nbattery.charge: 100\n' >"$PEERS_DIR/a.dev"
#	peers_add_ups a "$PEERS_DIR/a.dev"
#	peers_start tls			# drivers + upsd (STARTTLS) on 127.0.0.1:$UPSD_PORT
#	peers_stunnel mtls "$SERVER_CERT" "$SERVER_KEY" require-client-cert
#	...				# $STUNNEL_PORT_mtls, $CA_FILE, $CLIENT_CERT ...
#	peers_stop			# also run by the EXIT/INT/TERM/HUP traps
#
# Call the functions that start processes in the test's own shell, not in
# $(...) or a pipeline: they set variables.  Do not use a bare `wait` in the
# test: the peers run in the foreground (-F) as children of the test shell.
# The functions return non-zero with a message on standard error; peers_bail
# MSG prints the logs and "Bail out! MSG" and exits.
#
# Functions
#	peers_available [--without-stunnel]
#				0 when every program is there; else prints the
#				missing Debian packages (for "1..0 # SKIP");
#				--without-stunnel: stunnel not needed (the demo)
#	peers_init [DIR]	DIR (absent or empty; default: a new mktemp -d)
#				becomes the peers' home, removed at exit if the
#				test exits with 0 and PEERS_KEEP is empty;
#				installs the traps and a watchdog that stops the
#				peers if the test's shell is killed (SIGKILL)
#	peers_free_port		prints a free TCP port of 127.0.0.1
#	peers_pki		makes the test CA, server/client/rogue
#				certificates and the NSS DB of upsd (peers_start
#				tls and peers_stunnel run it; the variables
#				naming the files are set by peers_init)
#	peers_add_ups NAME FILE [dummy-loop|dummy-once]
#				declares a dummy-ups unit reading FILE (written
#				by the caller; default mode: dummy-loop for
#				*.seq, else dummy-once, which re-reads FILE when
#				its mtime changes), before peers_start
#	peers_start [tls|plain] [good|wrong-name|expired|/FILE]
#				starts the drivers and upsd; tls: STARTTLS with
#				the given server certificate (default good), or
#				with the TLS lines of upsd.conf in /FILE (an
#				absolute path: CERTPATH, CERTIDENT ... made by
#				the test, e.g. by upsplan tls-setup; the test
#				PKI is not made then, UPSD_CERT is "file");
#				returns once every unit answers GET VAR with a
#				status other than WAIT (~3 s)
#	peers_stop_upsd, peers_start_upsd, peers_restart_upsd
#				upsd alone, same port (a restart clears a
#				latched FSD; nothing else does in NUT 2.8.0)
#	peers_kill_upsd [SIG]	upsd "crashes" (default SIGKILL); returns once
#				it is gone; peers_start_upsd brings it back
#	peers_stunnel NAME CERT KEY [require-client-cert]
#				direct-TLS front end -> plain upsd port; sets
#				STUNNEL_PORT and STUNNEL_PORT_<NAME> (- -> _)
#	peers_silent_port	a server that accepts and never answers; sets
#				SILENT_PORT
#	peers_stop		TERM, then KILL after PEERS_STOP_GRACE seconds,
#				exactly the processes recorded (same PID and
#				start time); zombies count as gone
#	peers_pid NAME		PID of a recorded process: upsd, dummy-ups-NAME,
#				stunnel-NAME, silent-N, watchdog (e.g. kill -STOP
#				a driver: upsd says DATA-STALE after MAXAGE)
#	peers_list		the records, "NAME PID STARTTIME" a line
#	peers_running PID START	0 if that very process is alive (not a zombie)
#	peers_nut CMD [ARG...]	runs a NUT program with NUT_CONFPATH,
#				NUT_STATEPATH and NUT_ALTPIDPATH of the peers
#				(they are never exported into the test's shell)
#	peers_nut_quote STRING	STRING quoted for upsd.users and for the NUT
#				protocol: "...", with \ " and # escaped (an
#				unescaped # inside quotes is a parse error in
#				upsd 2.8.0, and upsd then does not answer)
#	peers_dump_logs		the logs of DIR as TAP comments ("# ...")
#	peers_bail MSG		peers_dump_logs, "Bail out! MSG", exit 1
#
# Variables set (and exported) for the tests
#	PEERS_DIR		the directory; configs, logs (*.log), pki/, nssdb/,
#				state/ (driver sockets)
#	UPSD_HOST		127.0.0.1
#	UPSD_PORT		upsd's port (STARTTLS or plain, see UPSD_TLS)
#	UPSD_TLS		tls or plain; UPSD_CERT: good, wrong-name, expired
#	UPS_NAMES		the declared units, blank-separated
#	CA_FILE			PEM, the test CA (trust anchor of every server
#				certificate and of CLIENT_CERT)
#	CA_BUNDLE		PEM, an unrelated CA followed by the test CA (a
#				bundle with more than one certificate)
#	SERVER_CERT, SERVER_KEY	CN=localhost, SAN DNS:localhost, IP:127.0.0.1,
#				IP:::1
#	WRONGNAME_CERT, WRONGNAME_KEY	valid only for wrong.example
#	EXPIRED_CERT, EXPIRED_KEY	like SERVER_CERT, expired on 2021-01-01
#	CLIENT_CERT, CLIENT_KEY	CN=upsplan-client, signed by the test CA
#	ROGUE_CA_FILE, ROGUE_CERT, ROGUE_KEY
#				another CA, and a client certificate (also
#				CN=upsplan-client) signed by it
#	PRIMARY_USER, PRIMARY_PASS	upsmon primary  (password "pri pass#1")
#	SECONDARY_USER, SECONDARY_PASS	upsmon secondary ("sec-pass-2")
#	ADMIN_USER, ADMIN_PASS	actions = SET FSD, instcmds = ALL
#				(password: adm "x" \ pass#3)
#	STUNNEL_PORT[_NAME], SILENT_PORT	see above
#	PEERS_PROBE		tests/daemon/nut-probe (plain/STARTTLS/direct
#				TLS client, see nut-probe -h)
#
# Knobs (environment, read when used)
#	PEERS_BINDIR		where freeport, silent-server and nut-probe are
#				(default: ./tests/daemon, the build tree)
#	PEERS_NUTLIB		directory of upsd and dummy-ups (default: from
#				dpkg -L nut-server, else /lib/nut, /usr/lib/nut ...)
#	PEERS_MAXAGE=15		upsd MAXAGE (a stopped driver goes stale after it)
#	PEERS_POLLINTERVAL=1	dummy-ups pollinterval (seconds)
#	PEERS_TIMEOUT=20	seconds to wait for a peer to come up
#	PEERS_STOP_GRACE=5	seconds between TERM and KILL
#	PEERS_SILENT_LIFETIME=600	the silent server exits after it anyway
#	PEERS_KEEP		non-empty: keep DIR at exit (DIR is otherwise
#				removed when the test exits with status 0);
#				set it when a test fails
#	PEERS_PRIMARY_PASS, PEERS_SECONDARY_PASS, PEERS_ADMIN_PASS
#				other passwords (read by peers_start)
#	PEERS_PRIMARY_USER	another name of the primary's upsd user (e.g.
#				1upsmon, a digit first); read by peers_start

# ---------------------------------------------------------------- helpers

_peers_say() {
	printf 'peers: %s\n' "$*" >&2
}

# _peers_stat PID: sets _ps_state (R, S, Z, ...) and _ps_start (start time
# in clock ticks since boot, field 22 of /proc/PID/stat); 1 if no process.
# The command name (field 2) may hold blanks and ')': cut after the last ") ".
_peers_stat() {
	_ps_line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$_ps_line" ] || return 1
	_ps_line=${_ps_line##*) }
	set -f
	# shellcheck disable=SC2086 # split on purpose
	set -- $_ps_line
	set +f
	[ $# -ge 20 ] || return 1
	_ps_state=$1
	_ps_start=${20}
}

peers_running() {
	_peers_stat "$1" || return 1
	[ "$_ps_state" != Z ] && [ "$_ps_state" != X ] && [ "$_ps_start" = "$2" ]
}

# _peers_record NAME PID: remember a process we started (PID and start time,
# so that a recycled PID is never signalled)
_peers_record() {
	if _peers_stat "$2"; then
		printf '%s %s %s\n' "$1" "$2" "$_ps_start" >>"$PEERS_DIR/pids"
	else
		printf '%s %s gone\n' "$1" "$2" >>"$PEERS_DIR/pids"
	fi
}

peers_list() {
	[ -f "$PEERS_DIR/pids" ] && cat "$PEERS_DIR/pids"
	return 0
}

peers_pid() {
	[ -f "$PEERS_DIR/pids" ] || return 1
	_pp=$(awk -v n="$1" '$1 == n { p = $2 } END { print p }' "$PEERS_DIR/pids")
	[ -n "$_pp" ] || return 1
	printf '%s\n' "$_pp"
}

# _peers_wait_until CMD...: run CMD every 0.1 s for PEERS_TIMEOUT seconds
# until it returns 0 (then 0) or 2 (give up: then 2); 1 on time-out
_peers_wait_until() {
	_wu_n=$((${PEERS_TIMEOUT:-20} * 10))
	while [ "$_wu_n" -gt 0 ]; do
		_wu_rc=0
		"$@" || _wu_rc=$?
		case $_wu_rc in
		0 | 2) return "$_wu_rc" ;;
		esac
		sleep 0.1
		_wu_n=$((_wu_n - 1))
	done
	return 1
}

# _peers_listening PID PORT: PID itself holds a socket listening on
# 127.0.0.1:PORT.  /proc/net/tcp gives the socket's inode, /proc/PID/fd
# whose it is: a port taken by someone else does not count, and no test
# connection is needed (dash has no /dev/tcp).
_peers_listening() {
	_pl_hex=$(printf '%04X' "$2")
	_pl_inodes=$(awk -v a="0100007F:$_pl_hex" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
	[ -n "$_pl_inodes" ] || return 1
	_pl_fds=$(ls -l "/proc/$1/fd" 2>/dev/null) || return 1
	for _pl_i in $_pl_inodes; do
		case $_pl_fds in
		*"socket:[$_pl_i]"*) return 0 ;;
		esac
	done
	return 1
}

# _peers_alive PID: a process with that PID exists and is not a zombie
_peers_alive() {
	_peers_stat "$1" && [ "$_ps_state" != Z ]
}

# 0 PID listens on PORT, 2 PID is gone, 1 not yet
_peers_up_or_died() {
	_peers_listening "$1" "$2" && return 0
	_peers_alive "$1" || return 2
	return 1
}

# wait until PID listens on PORT; 0 up, 1 time-out, 2 the process died
_peers_wait_listen() {
	_peers_wait_until _peers_up_or_died "$1" "$2"
}

_peers_need_init() {
	if [ -z "${PEERS_DIR:-}" ] || [ ! -d "$PEERS_DIR" ]; then
		_peers_say "call peers_init first"
		return 1
	fi
}

peers_nut() {
	NUT_CONFPATH=$PEERS_DIR NUT_STATEPATH=$PEERS_DIR/state NUT_ALTPIDPATH=$PEERS_DIR/state "$@"
}

peers_nut_quote() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"#]/\\&/g')"
}

# ---------------------------------------------------------------- programs

# Debian's /sbin/upsd is a shell wrapper that reads the system nut.conf and
# refuses to run; the ELF binaries live in the package's lib dir.
_peers_find_nut() {
	if [ -n "${PEERS_NUTLIB:-}" ] && [ -x "$PEERS_NUTLIB/upsd" ]; then
		return 0
	fi
	PEERS_NUTLIB=
	_fn_upsd=$(dpkg -L nut-server 2>/dev/null | grep '/nut/upsd$' | head -n 1) || _fn_upsd=
	if [ -n "$_fn_upsd" ] && [ -x "$_fn_upsd" ]; then
		PEERS_NUTLIB=$(dirname "$_fn_upsd")
		return 0
	fi
	for _fn_d in /lib/nut /usr/lib/nut /usr/libexec/nut; do
		if [ -x "$_fn_d/upsd" ] && [ -x "$_fn_d/dummy-ups" ]; then
			PEERS_NUTLIB=$_fn_d
			return 0
		fi
	done
	return 1
}

peers_available() {
	_pa_missing=
	if ! _peers_find_nut || [ ! -x "$PEERS_NUTLIB/dummy-ups" ]; then
		_pa_missing="$_pa_missing nut-server"
	fi
	if ! command -v certutil >/dev/null 2>&1 || ! command -v pk12util >/dev/null 2>&1; then
		_pa_missing="$_pa_missing libnss3-tools"
	fi
	if [ "${1-}" != --without-stunnel ]; then
		command -v stunnel >/dev/null 2>&1 || _pa_missing="$_pa_missing stunnel4"
	fi
	command -v openssl >/dev/null 2>&1 || _pa_missing="$_pa_missing openssl"
	[ -r /proc/net/tcp ] || _pa_missing="$_pa_missing /proc"
	if [ -n "$_pa_missing" ]; then
		printf '%s\n' "${_pa_missing# }"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- init and traps

peers_init() {
	# (not PEERS_DIR: it is exported, a test run by this one inherits it)
	if [ "${_peers_owner:-}" = "$$" ]; then
		_peers_say "peers_init: already initialised ($PEERS_DIR)"
		return 1
	fi
	_peers_killpower_before=absent
	[ ! -e /etc/killpower ] || _peers_killpower_before=present
	if [ $# -ge 1 ] && [ -n "$1" ]; then
		mkdir -p "$1" || return 1
		if [ -n "$(ls -A "$1")" ]; then
			_peers_say "peers_init: $1 is not empty (it is removed at the end)"
			return 1
		fi
		PEERS_DIR=$(cd "$1" && pwd -P) || return 1
	else
		PEERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/upsplan-peers.XXXXXX") || return 1
		PEERS_DIR=$(cd "$PEERS_DIR" && pwd -P) || return 1
	fi
	# The path goes unquoted into NUT and stunnel configs, and driver
	# sockets (AF_UNIX, at most 107 bytes) live under it.
	case $PEERS_DIR in
	*[!A-Za-z0-9/._-]*)
		_peers_say "peers_init: $PEERS_DIR: only letters, digits and / . _ - please"
		return 1 ;;
	esac
	if [ "${#PEERS_DIR}" -gt 60 ]; then
		_peers_say "peers_init: $PEERS_DIR is too long for driver sockets (at most 60 characters; set TMPDIR)"
		return 1
	fi
	export PEERS_DIR
	PEERS_BINDIR=${PEERS_BINDIR:-$(pwd)/tests/daemon}
	case $PEERS_BINDIR in
	/*) ;;
	*) PEERS_BINDIR=$(pwd)/$PEERS_BINDIR ;;
	esac
	for _pi_p in freeport silent-server nut-probe; do
		if [ ! -x "$PEERS_BINDIR/$_pi_p" ]; then
			_peers_say "peers_init: no $PEERS_BINDIR/$_pi_p (make check builds it; or set PEERS_BINDIR)"
			return 1
		fi
	done
	PEERS_PROBE=$PEERS_BINDIR/nut-probe
	export PEERS_BINDIR PEERS_PROBE
	if ! _peers_find_nut; then
		_peers_say "peers_init: cannot find upsd and dummy-ups (apt-get install nut-server)"
		return 1
	fi
	mkdir -p "$PEERS_DIR/state" || return 1
	: >"$PEERS_DIR/pids"
	: >"$PEERS_DIR/ups.conf"
	UPS_NAMES=
	UPSD_HOST=127.0.0.1
	UPSD_PORT=
	_peers_main=$$
	_peers_owner=$$
	_peers_silent_n=0
	export UPS_NAMES UPSD_HOST
	_peers_pki_paths
	# As root the NUT daemons would drop to the compiled-in user "nut",
	# which cannot use a private root-owned dir: keep them root.  As any
	# other user they stay that user (NUT changes user only as root).
	if [ "$(id -u)" -eq 0 ]; then
		_peers_user_opt="-u root"
	else
		_peers_user_opt=
	fi
	trap '_peers_on_exit' EXIT
	trap '_peers_on_signal 1' HUP
	trap '_peers_on_signal 2' INT
	trap '_peers_on_signal 15' TERM
	_peers_start_watchdog
}

# Stops the peers if the test's shell is killed without running its traps
# (SIGKILL, e.g. by a CI time limit): a subshell that polls the test's PID.
_peers_start_watchdog() {
	(
		# a subshell starts with default traps; INT (^C) is for the test
		# shell, whose trap stops everything, this one included.  The
		# sleep runs in the background so that TERM is handled at once
		# (a trap waits for a foreground command) and takes it along.
		trap - EXIT
		trap '' INT HUP
		trap 'kill "$_wd_sleep" 2>/dev/null; exit 0' TERM
		_wd_sleep=
		while kill -0 "$_peers_main" 2>/dev/null; do
			sleep 1 &
			_wd_sleep=$!
			wait "$_wd_sleep" || true
		done
		# shellcheck disable=SC2030 # only the watchdog's stop sees it
		_peers_in_watchdog=1
		echo "test shell $_peers_main is gone: stopping the peers"
		_peers_stop_matching ''
	) </dev/null >>"$PEERS_DIR/watchdog.log" 2>&1 &
	_peers_record watchdog "$!"
}

_peers_on_exit() {
	_oe_rc=$?
	trap - EXIT HUP INT TERM
	peers_stop || true
	# a test must give its upsplan run a --powerdownflag of its own (dm_start
	# does): the system's flag would make NUT cut the UPS's power at the
	# machine's next halt.  One that appeared during this test fails it.
	if [ "$_peers_killpower_before" = absent ] && [ -e /etc/killpower ] &&
		grep -qx upsmon-shutdown-file /etc/killpower 2>/dev/null; then
		echo "not ok - this test wrote the system's /etc/killpower (removed now): give upsplan run a --powerdownflag"
		rm -f /etc/killpower
		_oe_rc=1
	fi
	if [ "$_oe_rc" -eq 0 ] && [ -z "${PEERS_KEEP:-}" ]; then
		rm -rf "$PEERS_DIR"
	elif [ -d "${PEERS_DIR:-}" ]; then
		echo "# peers: logs and configs kept in $PEERS_DIR"
	fi
	exit "$_oe_rc"
}

_peers_on_signal() {
	trap - EXIT HUP INT TERM
	echo "# peers: signal $1, stopping the peers (kept $PEERS_DIR)"
	peers_stop || true
	exit $((128 + $1))
}

# ---------------------------------------------------------------- ports

peers_free_port() {
	"$PEERS_BINDIR/freeport"
}

# ---------------------------------------------------------------- PKI

# _peers_key_csr BASE SUBJECT: an EC P-256 key (fast to make; NSS 3.87 and
# upsd accept it for STARTTLS) and a certificate request
_peers_key_csr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "$2" 2>>openssl.log
}

# _peers_sign BASE CA EXTFILE: BASE.pem, valid for 10 years from now
_peers_sign() {
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial \
		-days 3650 -sha256 -extfile "$3" -out "$1.pem" 2>>openssl.log
}

_peers_ca() { # BASE SUBJECT
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.pem" -days 3650 -sha256 -subj "$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>>openssl.log
}

# the file names are known from peers_init on (the files exist once
# peers_pki has run: peers_start tls and peers_stunnel run it)
_peers_pki_paths() {
	_pk=$PEERS_DIR/pki
	CA_FILE=$_pk/ca.pem
	CA_BUNDLE=$_pk/ca-bundle.pem
	SERVER_CERT=$_pk/server.pem
	SERVER_KEY=$_pk/server.key
	WRONGNAME_CERT=$_pk/wrong-name.pem
	WRONGNAME_KEY=$_pk/wrong-name.key
	EXPIRED_CERT=$_pk/expired.pem
	EXPIRED_KEY=$_pk/expired.key
	CLIENT_CERT=$_pk/client.pem
	CLIENT_KEY=$_pk/client.key
	ROGUE_CA_FILE=$_pk/rogue-ca.pem
	ROGUE_CERT=$_pk/rogue.pem
	ROGUE_KEY=$_pk/rogue.key
	export CA_FILE CA_BUNDLE SERVER_CERT SERVER_KEY WRONGNAME_CERT WRONGNAME_KEY \
		EXPIRED_CERT EXPIRED_KEY CLIENT_CERT CLIENT_KEY ROGUE_CA_FILE ROGUE_CERT ROGUE_KEY
}

peers_pki() {
	_peers_need_init || return 1
	_pk=$PEERS_DIR/pki
	if [ ! -f "$_pk/done" ]; then
		mkdir -p "$_pk" || return 1
		if ! (
			cd "$_pk" || exit 1
			umask 077
			_peers_ca ca "/O=upsplan test/CN=upsplan test CA" || exit 1
			_peers_ca other-ca "/O=upsplan test/CN=unrelated CA" || exit 1
			_peers_ca rogue-ca "/O=upsplan rogue/CN=rogue CA" || exit 1
			printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
				"extendedKeyUsage=serverAuth" \
				"subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" >server.ext
			printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
				"extendedKeyUsage=serverAuth" "subjectAltName=DNS:wrong.example" >wrong-name.ext
			printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
				"extendedKeyUsage=clientAuth" >client.ext
			# NSS wants one nickname per subject DN: the three server
			# certificates of the NSS DB get different subjects.
			_peers_key_csr server "/O=upsplan test/CN=localhost" || exit 1
			_peers_sign server ca server.ext || exit 1
			_peers_key_csr wrong-name "/O=upsplan test/CN=wrong.example" || exit 1
			_peers_sign wrong-name ca wrong-name.ext || exit 1
			_peers_key_csr client "/O=upsplan test/CN=upsplan-client" || exit 1
			_peers_sign client ca client.ext || exit 1
			_peers_key_csr rogue "/O=upsplan rogue/CN=upsplan-client" || exit 1
			_peers_sign rogue rogue-ca client.ext || exit 1
			# Expired: OpenSSL 3.0's "x509 -req" cannot set a start date
			# (-not_before came with 3.4), "openssl ca" can, given a
			# throw-away CA database.
			_peers_key_csr expired "/O=upsplan test/OU=expired/CN=localhost" || exit 1
			mkdir -p cadb && : >cadb/index.txt && echo 1000 >cadb/serial || exit 1
			printf '%s\n' "[ca]" "default_ca = test" "[test]" "database = cadb/index.txt" \
				"serial = cadb/serial" "new_certs_dir = cadb" "certificate = ca.pem" \
				"private_key = ca.key" "default_md = sha256" "policy = any" \
				"unique_subject = no" "copy_extensions = none" \
				"[any]" "commonName = supplied" "organizationName = optional" \
				"organizationalUnitName = optional" >ca.cnf
			openssl ca -batch -config ca.cnf -notext -startdate 20200101000000Z \
				-enddate 20210101000000Z -extfile server.ext -in expired.csr \
				-out expired.pem >>openssl.log 2>&1 || exit 1
			cat other-ca.pem ca.pem >ca-bundle.pem || exit 1
			openssl verify -CAfile ca.pem server.pem wrong-name.pem client.pem >>openssl.log 2>&1 || exit 1
			chmod 644 ./*.pem
		); then
			_peers_say "peers_pki: openssl failed, see $_pk/openssl.log:"
			tail -n 5 "$_pk/openssl.log" >&2
			return 1
		fi
		_peers_nssdb || return 1
		: >"$_pk/done"
	fi
}

# The NSS DB of upsd: the three server certificates (nicknames upsd-good,
# upsd-wrong-name, upsd-expired) and the CA.  No DB password: with one,
# upsd 2.8.0 decrypts the private key on every STARTTLS (~35 ms of CPU per
# handshake instead of ~4 ms), which slows every connecting test.
_peers_nssdb() {
	_nd=$PEERS_DIR/nssdb
	rm -rf "$_nd" && mkdir -p "$_nd" || return 1
	if ! (
		cd "$PEERS_DIR/pki" || exit 1
		umask 077
		certutil -N -d "sql:$_nd" --empty-password || exit 1
		# pk12util needs a transport password; the DB itself has none (-K '')
		echo "transport" >p12pass
		for _nd_c in good:server wrong-name:wrong-name expired:expired; do
			openssl pkcs12 -export -in "${_nd_c#*:}.pem" -inkey "${_nd_c#*:}.key" \
				-name "upsd-${_nd_c%%:*}" -passout file:p12pass \
				-out "${_nd_c#*:}.p12" || exit 1
			pk12util -i "${_nd_c#*:}.p12" -d "sql:$_nd" -K '' -w p12pass || exit 1
		done
		certutil -A -d "sql:$_nd" -n "upsplan test CA" -t "CT,C,C" -a -i ca.pem || exit 1
	) >>"$PEERS_DIR/pki/nss.log" 2>&1; then
		_peers_say "peers_pki: NSS DB failed, see $PEERS_DIR/pki/nss.log:"
		tail -n 5 "$PEERS_DIR/pki/nss.log" >&2
		return 1
	fi
}

# ---------------------------------------------------------------- dummy-ups

peers_add_ups() {
	_peers_need_init || return 1
	if [ -n "${UPSD_PORT:-}" ]; then
		_peers_say "peers_add_ups: declare units before peers_start"
		return 1
	fi
	case ${1:-} in
	'' | *[!A-Za-z0-9_.-]* | [.-]*)
		_peers_say "peers_add_ups: bad unit name '${1:-}' (letters, digits, _ . -)"
		return 1 ;;
	esac
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		_peers_say "usage: peers_add_ups NAME FILE [dummy-loop|dummy-once]"
		return 1
	fi
	case " $UPS_NAMES " in
	*" $1 "*)
		_peers_say "peers_add_ups: unit $1 declared twice"
		return 1 ;;
	esac
	case $2 in
	/*) _au_file=$2 ;;
	*) _au_file=$(pwd)/$2 ;;
	esac
	case $_au_file in
	*[!A-Za-z0-9/._-]*)
		_peers_say "peers_add_ups: $_au_file: only letters, digits and / . _ - please"
		return 1 ;;
	esac
	_au_mode=${3:-}
	if [ -z "$_au_mode" ]; then
		case $_au_file in
		*.seq) _au_mode=dummy-loop ;;
		*) _au_mode=dummy-once ;;
		esac
	fi
	case $_au_mode in
	dummy-loop | dummy-once) ;;
	*)
		_peers_say "peers_add_ups: mode must be dummy-loop or dummy-once, not '$_au_mode'"
		return 1 ;;
	esac
	if [ $((${#PEERS_DIR} + 17 + ${#1})) -gt 107 ]; then
		_peers_say "peers_add_ups: the socket path of unit $1 would be too long"
		return 1
	fi
	printf '[%s]\n\tdriver = dummy-ups\n\tport = %s\n\tmode = %s\n\tdesc = "peer %s"\n' \
		"$1" "$_au_file" "$_au_mode" "$1" >>"$PEERS_DIR/ups.conf"
	UPS_NAMES=${UPS_NAMES:+$UPS_NAMES }$1
}

# _peers_start_drivers: every declared unit, 50 at a time (a dummy-ups
# needs ~1 s before its socket appears; they start in parallel)
_peers_start_drivers() {
	_sd_batch=
	_sd_k=0
	for _sd_u in $UPS_NAMES; do
		_sd_file=$(awk -v u="[$_sd_u]" '$0 == u { s = 1 } s && $1 == "port" { print $3; exit }' "$PEERS_DIR/ups.conf")
		if [ ! -r "$_sd_file" ]; then
			_peers_say "peers_start: unit $_sd_u: cannot read $_sd_file"
			return 1
		fi
		# shellcheck disable=SC2086 # _peers_user_opt is empty or "-u root"
		NUT_CONFPATH=$PEERS_DIR NUT_STATEPATH=$PEERS_DIR/state NUT_ALTPIDPATH=$PEERS_DIR/state \
			"$PEERS_NUTLIB/dummy-ups" -a "$_sd_u" -F $_peers_user_opt \
			</dev/null >>"$PEERS_DIR/dummy-ups-$_sd_u.log" 2>&1 &
		_peers_record "dummy-ups-$_sd_u" "$!"
		_sd_batch="$_sd_batch $_sd_u"
		_sd_k=$((_sd_k + 1))
		if [ $((_sd_k % 50)) -eq 0 ]; then
			# shellcheck disable=SC2086 # unit names have no blanks
			_peers_wait_drivers $_sd_batch || return 1
			_sd_batch=
		fi
	done
	# shellcheck disable=SC2086
	_peers_wait_drivers $_sd_batch
}

_peers_driver_up() { # NAME PID
	[ -S "$PEERS_DIR/state/dummy-ups-$1" ] && return 0
	_peers_alive "$2" || return 2
	return 1
}

_peers_wait_drivers() {
	for _wd_u in "$@"; do
		_wd_pid=$(peers_pid "dummy-ups-$_wd_u")
		if ! _peers_wait_until _peers_driver_up "$_wd_u" "$_wd_pid"; then
			_peers_say "peers_start: dummy-ups $_wd_u did not come up; its log:"
			tail -n 5 "$PEERS_DIR/dummy-ups-$_wd_u.log" >&2
			return 1
		fi
	done
}

# ---------------------------------------------------------------- upsd

_peers_write_upsd_conf() {
	{
		echo "# upsd.conf - written by tests/daemon/peers.sh"
		echo "LISTEN 127.0.0.1 $UPSD_PORT"
		echo "MAXAGE ${PEERS_MAXAGE:-15}"
		if [ "$UPSD_TLS" = tls ] && [ -n "${_peers_tls_lines:-}" ]; then
			cat "$_peers_tls_lines" || return 1
		elif [ "$UPSD_TLS" = tls ]; then
			# NSS build (Debian): CERTPATH is the NSS DB, CERTIDENT the
			# nickname and the DB password (empty); no CERTFILE, and no
			# CERTREQUEST (not compiled in: client certificates need stunnel)
			echo "CERTPATH $PEERS_DIR/nssdb"
			echo "CERTIDENT \"upsd-$UPSD_CERT\" \"\""
			echo "DISABLE_WEAK_SSL true"
		fi
	} >"$PEERS_DIR/upsd.conf"
}

_peers_write_users() {
	# a blank and a '#' (primary), a quote and a backslash (admin): the
	# client must quote and escape them on the wire (peers_nut_quote)
	PRIMARY_USER=upsplan-primary
	PRIMARY_PASS='pri pass#1'
	SECONDARY_USER=upsplan-secondary
	SECONDARY_PASS='sec-pass-2'
	ADMIN_USER=upsplan-admin
	ADMIN_PASS='adm "x" \ pass#3'
	if [ -n "${PEERS_PRIMARY_USER:-}" ]; then PRIMARY_USER=$PEERS_PRIMARY_USER; fi
	if [ -n "${PEERS_PRIMARY_PASS:-}" ]; then PRIMARY_PASS=$PEERS_PRIMARY_PASS; fi
	if [ -n "${PEERS_SECONDARY_PASS:-}" ]; then SECONDARY_PASS=$PEERS_SECONDARY_PASS; fi
	if [ -n "${PEERS_ADMIN_PASS:-}" ]; then ADMIN_PASS=$PEERS_ADMIN_PASS; fi
	export PRIMARY_USER PRIMARY_PASS SECONDARY_USER SECONDARY_PASS ADMIN_USER ADMIN_PASS
	(
		umask 077
		{
			echo "# upsd.users - written by tests/daemon/peers.sh"
			printf '[%s]\n\tpassword = %s\n\tupsmon primary\n' \
				"$PRIMARY_USER" "$(peers_nut_quote "$PRIMARY_PASS")"
			printf '[%s]\n\tpassword = %s\n\tupsmon secondary\n' \
				"$SECONDARY_USER" "$(peers_nut_quote "$SECONDARY_PASS")"
			printf '[%s]\n\tpassword = %s\n\tactions = SET FSD\n\tinstcmds = ALL\n' \
				"$ADMIN_USER" "$(peers_nut_quote "$ADMIN_PASS")"
		} >"$PEERS_DIR/upsd.users"
	)
}

# every declared unit answers GET VAR with a status other than WAIT: upsd
# listens before it has connected to the drivers (DRIVER-NOT-CONNECTED), and
# a dummy-ups says WAIT until it has read its file (~2 s after its start)
_peers_units_answer() {
	[ -n "$UPS_NAMES" ] || return 0
	set --
	for _ua_u in $UPS_NAMES; do
		set -- "$@" "GET VAR $_ua_u ups.status"
	done
	_ua_n=$#
	_ua_out=$("$PEERS_PROBE" -q -t 2 -m plain "$UPSD_HOST" "$UPSD_PORT" "$@" 2>/dev/null) || return 1
	[ "$(printf '%s\n' "$_ua_out" | grep '^VAR ' | grep -c -v ' "WAIT"$')" -eq "$_ua_n" ]
}

peers_start() {
	_peers_need_init || return 1
	if [ -n "${UPSD_PORT:-}" ]; then
		_peers_say "peers_start: already started"
		return 1
	fi
	UPSD_TLS=${1:-tls}
	UPSD_CERT=${2:-good}
	case $UPSD_TLS in
	tls | plain) ;;
	*) _peers_say "peers_start: tls or plain, not '$UPSD_TLS'"; return 1 ;;
	esac
	_peers_tls_lines=
	case $UPSD_CERT in
	good | wrong-name | expired) ;;
	/*)
		if [ "$UPSD_TLS" != tls ] || [ ! -r "$UPSD_CERT" ]; then
			_peers_say "peers_start: upsd.conf lines from a file need tls and a readable file, not '$UPSD_TLS' '$UPSD_CERT'"
			return 1
		fi
		_peers_tls_lines=$UPSD_CERT
		UPSD_CERT="file" ;;
	*) _peers_say "peers_start: certificate good, wrong-name, expired or /FILE, not '$UPSD_CERT'"; return 1 ;;
	esac
	export UPSD_TLS UPSD_CERT
	if [ "$UPSD_TLS" = tls ] && [ -z "$_peers_tls_lines" ]; then
		peers_pki || return 1
	fi
	printf 'pollinterval = %s\n%s\n' "${PEERS_POLLINTERVAL:-1}" "$(cat "$PEERS_DIR/ups.conf")" \
		>"$PEERS_DIR/ups.conf.new" && mv "$PEERS_DIR/ups.conf.new" "$PEERS_DIR/ups.conf" || return 1
	_peers_write_users || return 1
	_peers_start_drivers || return 1
	# a free port can be taken between the check and upsd's bind (tests
	# run in parallel): then upsd exits and we try another one
	_ps_try=0
	while :; do
		UPSD_PORT=$(peers_free_port) || return 1
		export UPSD_PORT
		_peers_write_upsd_conf || return 1
		_ps_rc=0
		_peers_launch_upsd || _ps_rc=$?
		[ "$_ps_rc" -eq 0 ] && return 0
		_ps_try=$((_ps_try + 1))
		if [ "$_ps_rc" -ne 2 ] || [ "$_ps_try" -ge 5 ]; then
			return 1
		fi
		_peers_say "peers_start: upsd could not listen on port $UPSD_PORT, trying another"
	done
}

# 0 up; 2 upsd exited before listening (port lost?); 1 other failure
_peers_launch_upsd() {
	# shellcheck disable=SC2086
	NUT_CONFPATH=$PEERS_DIR NUT_STATEPATH=$PEERS_DIR/state NUT_ALTPIDPATH=$PEERS_DIR/state \
		"$PEERS_NUTLIB/upsd" -F $_peers_user_opt </dev/null >>"$PEERS_DIR/upsd.log" 2>&1 &
	_peers_record upsd "$!"
	_lu_pid=$(peers_pid upsd)
	_lu_rc=0
	_peers_wait_listen "$_lu_pid" "$UPSD_PORT" || _lu_rc=$?
	if [ "$_lu_rc" -ne 0 ]; then
		_peers_say "peers_start_upsd: upsd is not listening on 127.0.0.1:$UPSD_PORT; its log:"
		tail -n 5 "$PEERS_DIR/upsd.log" >&2
		_peers_stop_matching upsd
		return "$_lu_rc"
	fi
	if ! _peers_wait_until _peers_units_answer; then
		_peers_say "peers_start_upsd: not every unit answers GET VAR; upsd log:"
		tail -n 5 "$PEERS_DIR/upsd.log" >&2
		return 1
	fi
}

peers_stop_upsd() {
	_peers_need_init || return 1
	_peers_stop_matching upsd
}

peers_start_upsd() {
	_peers_need_init || return 1
	if [ -z "${UPSD_PORT:-}" ]; then
		_peers_say "peers_start_upsd: run peers_start first"
		return 1
	fi
	if _pu_pid=$(peers_pid upsd) && _peers_alive "$_pu_pid"; then
		_peers_say "peers_start_upsd: upsd is running ($_pu_pid)"
		return 1
	fi
	# same port as before: the daemon under test is configured with it
	_pu_try=0
	while :; do
		_pu_rc=0
		_peers_launch_upsd || _pu_rc=$?
		[ "$_pu_rc" -eq 0 ] && return 0
		_pu_try=$((_pu_try + 1))
		[ "$_pu_rc" -eq 2 ] && [ "$_pu_try" -lt 5 ] || return 1
		sleep 0.5
	done
}

peers_restart_upsd() {
	peers_stop_upsd && peers_start_upsd
}

# peers_kill_upsd [SIGNAL]: "upsd crashed": SIGNAL (default KILL) and wait
# until it is gone.  A process killed by SIGKILL keeps its listening socket
# for a moment: a connection made at once can still be accepted (and reset).
peers_kill_upsd() {
	_peers_need_init || return 1
	if ! _ku_pid=$(peers_pid upsd) || ! _peers_alive "$_ku_pid"; then
		_peers_say "peers_kill_upsd: upsd is not running"
		return 1
	fi
	# bash (scripts/demo.sh) reports the death of a job of its own by a
	# signal ("line 785: 1234 Killed ... upsd -F"), although the crash is
	# wanted: upsd is no longer a job of this shell.  It is still reaped
	# (a shell reaps every child) and checked below.  dash has no disown,
	# and reports nothing.
	if command -v disown >/dev/null 2>&1; then
		disown "$_ku_pid" 2>/dev/null || :
	fi
	kill -s "${1:-KILL}" "$_ku_pid" || return 1
	_ku_n=50
	while _peers_alive "$_ku_pid" && [ "$_ku_n" -gt 0 ]; do
		sleep 0.1
		_ku_n=$((_ku_n - 1))
	done
	if _peers_alive "$_ku_pid"; then
		_peers_say "peers_kill_upsd: upsd $_ku_pid survived SIG${1:-KILL}"
		return 1
	fi
	_peers_stop_matching upsd	# reaps it, files its record
}

# ---------------------------------------------------------------- stunnel

peers_stunnel() {
	_peers_need_init || return 1
	if [ $# -lt 3 ]; then
		_peers_say "usage: peers_stunnel NAME CERT KEY [require-client-cert]"
		return 1
	fi
	case $1 in
	'' | *[!A-Za-z0-9_-]*)
		_peers_say "peers_stunnel: bad name '$1' (letters, digits, _ -)"
		return 1 ;;
	esac
	if peers_pid "stunnel-$1" >/dev/null; then
		_peers_say "peers_stunnel: stunnel $1 exists"
		return 1
	fi
	if [ -z "${UPSD_PORT:-}" ]; then
		_peers_say "peers_stunnel: run peers_start first (stunnel forwards to upsd)"
		return 1
	fi
	peers_pki || return 1
	_st_verify="; no client certificate requested"
	case ${4:-} in
	'') ;;
	require-client-cert)
		# verify = 2: a client certificate is required and must chain to CAfile
		_st_verify="verify = 2" ;;
	*)
		_peers_say "peers_stunnel: 4th argument is require-client-cert, not '$4'"
		return 1 ;;
	esac
	_st_conf=$PEERS_DIR/stunnel-$1.conf
	_st_log=$PEERS_DIR/stunnel-$1.log
	_st_try=0
	while :; do
		_st_port=$(peers_free_port) || return 1
		# foreground = quiet: stays our child (its PID is $!), logs only to output
		printf '%s\n' "; $1: direct TLS on 127.0.0.1:$_st_port -> plain upsd 127.0.0.1:$UPSD_PORT" \
			"foreground = quiet" "pid =" "output = $_st_log" "syslog = no" "debug = info" \
			"[$1]" "client = no" "accept = 127.0.0.1:$_st_port" "connect = 127.0.0.1:$UPSD_PORT" \
			"cert = $2" "key = $3" "CAfile = $CA_FILE" "$_st_verify" \
			"sslVersionMin = TLSv1.2" >"$_st_conf"
		stunnel "$_st_conf" </dev/null >>"$_st_log" 2>&1 &
		_peers_record "stunnel-$1" "$!"
		_st_pid=$(peers_pid "stunnel-$1")
		_st_rc=0
		_peers_wait_listen "$_st_pid" "$_st_port" || _st_rc=$?
		[ "$_st_rc" -eq 0 ] && break
		_peers_stop_matching "stunnel-$1"
		_st_try=$((_st_try + 1))
		if [ "$_st_rc" -ne 2 ] || [ "$_st_try" -ge 5 ]; then
			_peers_say "peers_stunnel: stunnel $1 did not come up; its log:"
			tail -n 5 "$_st_log" >&2
			return 1
		fi
	done
	STUNNEL_PORT=$_st_port
	_st_var=$(printf '%s' "$1" | tr '-' '_')
	eval "STUNNEL_PORT_$_st_var=\$_st_port; export STUNNEL_PORT_$_st_var"
	export STUNNEL_PORT
}

# ---------------------------------------------------------------- silent server

peers_silent_port() {
	_peers_need_init || return 1
	_peers_silent_n=$((_peers_silent_n + 1))
	_sp_name=silent-$_peers_silent_n
	_sp_file=$PEERS_DIR/$_sp_name.port
	# it picks its own port (bind to port 0: no race) and writes it to the file;
	# -w: it also exits when the test's shell is gone
	"$PEERS_BINDIR/silent-server" -f "$_sp_file" -w "$_peers_main" \
		-t "${PEERS_SILENT_LIFETIME:-600}" </dev/null >>"$PEERS_DIR/$_sp_name.log" 2>&1 &
	_peers_record "$_sp_name" "$!"
	if ! _peers_wait_until test -s "$_sp_file"; then
		_peers_say "peers_silent_port: the silent server did not start; its log:"
		tail -n 5 "$PEERS_DIR/$_sp_name.log" >&2
		return 1
	fi
	SILENT_PORT=$(cat "$_sp_file")
	export SILENT_PORT
}

# ---------------------------------------------------------------- stopping

# _peers_wait_gone TENTHS: wait up to TENTHS tenths of a second until the
# processes of $_sm_sent ("PID:NAME ...") are gone; $_sm_sent keeps those still running
_peers_wait_gone() {
	_wg_n=$1
	while [ -n "$_sm_sent" ] && [ "$_wg_n" -gt 0 ]; do
		_sm_alive=
		for _sm_p in $_sm_sent; do
			peers_running "${_sm_p%:*}" "${_sm_p#*:}" && _sm_alive="$_sm_alive $_sm_p"
		done
		_sm_sent=$_sm_alive
		[ -n "$_sm_sent" ] || break
		sleep 0.1
		_wg_n=$((_wg_n - 1))
	done
}

# _peers_stop_matching NAME: stop the recorded processes called NAME (''
# = all), newest first.  Only a process with the recorded PID *and* start
# time is signalled.  The records of stopped processes move to pids.stopped.
_peers_stop_matching() {
	[ -f "$PEERS_DIR/pids" ] || return 0
	_sm_name=$1	# the loop below reuses the positional parameters
	_sm_sent=
	_sm_list=$(awk -v n="$_sm_name" 'n == "" || $1 == n { l[++k] = $0 } END { while (k > 0) print l[k--] }' \
		"$PEERS_DIR/pids")
	_sm_oldifs=$IFS
	IFS='
'
	for _sm_e in $_sm_list; do
		IFS=$_sm_oldifs
		set -f
		# shellcheck disable=SC2086
		set -- $_sm_e
		set +f
		# the watchdog does not stop itself
		[ "$1" = watchdog ] && [ -n "${_peers_in_watchdog:-}" ] && continue
		if peers_running "$2" "$3"; then
			kill -TERM "$2" 2>/dev/null && _sm_sent="$_sm_sent $2:$3"
		fi
	done
	IFS=$_sm_oldifs
	_peers_wait_gone $((${PEERS_STOP_GRACE:-5} * 10))
	for _sm_p in $_sm_sent; do
		echo "peers: ${_sm_p%:*} ignored SIGTERM, sending SIGKILL" >&2
		kill -KILL "${_sm_p%:*}" 2>/dev/null || true
	done
	_peers_wait_gone 20
	# reap our children (no zombies left behind); a no-op for other PIDs
	for _sm_e in $(awk -v n="$_sm_name" 'n == "" || $1 == n { print $2 }' "$PEERS_DIR/pids"); do
		if ! _peers_alive "$_sm_e"; then
			wait "$_sm_e" 2>/dev/null || true
		fi
	done
	awk -v n="$_sm_name" 'n == "" || $1 == n' "$PEERS_DIR/pids" >>"$PEERS_DIR/pids.stopped"
	awk -v n="$_sm_name" -v w="${_peers_in_watchdog:-}" 'n != "" && $1 != n || w != "" && $1 == "watchdog"' \
		"$PEERS_DIR/pids" >"$PEERS_DIR/pids.new"
	mv "$PEERS_DIR/pids.new" "$PEERS_DIR/pids"
	if [ -n "$_sm_sent" ]; then
		_peers_say "could not stop:$_sm_sent"
		return 1
	fi
	return 0
}

peers_stop() {
	[ -n "${PEERS_DIR:-}" ] && [ -d "$PEERS_DIR" ] || return 0
	_peers_stop_matching ''
}

# ---------------------------------------------------------------- diagnosis

peers_dump_logs() {
	[ -n "${PEERS_DIR:-}" ] && [ -d "$PEERS_DIR" ] || return 0
	for _dl_f in "$PEERS_DIR"/*.log "$PEERS_DIR"/pki/*.log; do
		[ -s "$_dl_f" ] || continue
		echo "# ==> ${_dl_f#"$PEERS_DIR"/} (last ${PEERS_LOG_LINES:-40} lines) <=="
		tail -n "${PEERS_LOG_LINES:-40}" "$_dl_f" | sed 's/^/#   /'
	done
	echo "# ==> processes (name pid start) <=="
	sed 's/^/#   /' "$PEERS_DIR/pids" 2>/dev/null || true
}

peers_bail() {
	PEERS_KEEP=1
	peers_dump_logs
	echo "Bail out! $*"
	exit 1
}
