#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tls-setup.sh - TAP: upsplan tls-setup into scratch directories: the certificates and files it makes, never overwriting, upsd's TLS library, --apply on a scratch upsd.conf, and bad arguments.
#
# A live upsd is tests/daemon/run-tls-setup.sh's.  Needs the openssl
# program (to read what was made); the --nss cases need libnss3-tools.
# Environment: UPSPLAN, top_srcdir (make check sets them); UPSPLAN_VALGRIND,
# a command put before upsplan (e.g. valgrind --error-exitcode=99).
# Scratch files: tests/tls-setup.d in the current directory, kept when a
# test fails.  Nothing is written outside it (every run gives --dir, and
# --upsd-conf with --apply).
set -eu

# shellcheck source=tests/tap-env.sh
. "$(dirname "$0")/tap-env.sh"
need_upsplan
if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP no openssl program (apt-get install openssl)"
	exit 0
fi
have_nss=
if command -v certutil >/dev/null 2>&1 && command -v pk12util >/dev/null 2>&1; then
	have_nss=1
fi
tap_scratch tls-setup

# ts ARG...: upsplan tls-setup (run: status, out, err)
ts() {
	# shellcheck disable=SC2086 # UPSPLAN_VALGRIND is words
	run ${UPSPLAN_VALGRIND:-} "$upsplan" tls-setup "$@"
}

# expect STATUS PATTERN NAME: the last run exited STATUS, its stderr matches PATTERN (grep -E)
expect() {
	if [ "$status" -eq "$1" ] && grep -Eq -- "$2" err; then
		ok "$3"
	else
		not_ok "$3" "exit $status (expected $1), wanted /$2/ in stderr:" "$(head -5 err)"
	fi
}

# mode FILE: its permission bits in octal
mode() {
	stat -c %a "$1"
}

# lines: the upsd.conf lines printed by the last run, one a line
lines() {
	sed -n '/^upsd.conf lines:$/,/^$/s/^	//p' out
}

echo "1..76"

# ---------------------------------------------------------------- bad arguments

ts --days 0 --pem --dir "$work/bad"
expect 2 "--days wants a number of days from 1 to 36500, not '0'" "--days 0: usage error naming the option"
ts --days 12x --pem --dir "$work/bad"
expect 2 "--days wants a number .* not '12x'" "--days 12x: usage error"
ts --days 4000 --pem --dir "$work/bad"
expect 2 "--days 4000 outlives the CA \(--ca-days 3650\)" "--days longer than the CA's: usage error"
ts --name 'bad name' --pem --dir "$work/bad"
expect 2 "--name 'bad name' is neither a host name" "--name with a blank: usage error"
ts --name -lead.example --pem --dir "$work/bad"
expect 2 "--name '-lead.example' is neither" "--name starting with '-': usage error"
ts --name 300.1.1.1 --pem --dir "$work/bad"
expect 2 "--name '300.1.1.1' is neither" "--name that is no IPv4 address: usage error"
ts --nss --pem --dir "$work/bad"
expect 2 "--nss or --pem, not both" "--nss with --pem: usage error"
ts --pem --dir "$work/bad" extra
expect 2 "no arguments, only options \('extra' is extra\)" "an argument: usage error"
ts --frobnicate
expect 2 "unknown option '--frobnicate'" "an unknown option: usage error"
ts --pem --dir "$work/bad dir"
expect 2 "--dir '$work/bad dir': the directory goes into upsd.conf as it is: .* not byte 0x20 " \
	"--dir with a blank: usage error naming the byte"
long=/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/b
ts --pem --dir "$long x"
expect 2 "--dir '$long x': the directory goes into upsd.conf .* not byte 0x20 \(at 101\)" \
	"--dir with a blank past its 80th byte: the whole value in the message"
ts --pem --dir ''
expect 2 "--dir is empty" "an empty --dir: usage error"
# a --dir of 401 bytes, and one of 400 (NUT's parser cuts upsd.conf's words at 511)
long=$(printf '%0200d' 0 | tr 0 a)
d400=$work/$long/$(printf '%0*d' $((400 - ${#work} - 202)) 0 | tr 0 b)
ts --pem --dir "${d400}c"
expect 2 "--dir '.*' is 401 bytes long: at most 400, as upsd's config parser \(NUT 2.8.0\) cuts a word" \
	"--dir longer than 400 bytes: usage error"
mkdir "$work/$long"
ts --pem --dir "$d400"
if [ "$status" -eq 0 ] && [ -f "$d400/upsd.pem" ] && [ "${#d400}" -eq 400 ]; then
	ok "--dir of 400 bytes: taken"
else
	not_ok "--dir of 400 bytes: taken" "exit $status" "$(head -3 err)"
fi
ts --pem --dir "$work/bad" --upsd-conf "$work/upsd.conf"
expect 2 "--upsd-conf names the file --apply changes" "--upsd-conf without --apply: usage error"
if [ ! -e "$work/bad" ]; then ok "no usage error made the directory"; else not_ok "no usage error made the directory"; fi

# ---------------------------------------------------------------- --pem: what is made

ts --pem --dir "$work/p" --name localhost --name 127.0.0.1 --name ::1 --days 30
if [ "$status" -eq 0 ] && [ "$(mode p/ca.key)" = 600 ] && [ "$(mode p/server.key)" = 600 ] &&
	[ "$(mode p/upsd.pem)" = 600 ] && [ "$(mode p/ca.pem)" = 644 ]; then
	ok "--pem: exit 0; the keys and upsd.pem mode 0600, ca.pem 0644"
else
	not_ok "--pem: exit 0 and the modes" "exit $status" "$(ls -l p 2>&1)" "$(head -3 err)"
fi
if openssl verify -CAfile p/ca.pem p/server.pem >verify.out 2>&1; then
	ok "server.pem is signed by ca.pem"
else
	not_ok "server.pem is signed by ca.pem" "$(cat verify.out)"
fi
openssl x509 -in p/server.pem -noout -ext subjectAltName,extendedKeyUsage >san.out 2>&1 || true
if grep -q 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1' san.out &&
	grep -q 'TLS Web Server Authentication' san.out; then
	ok "subjectAltName holds the DNS name and both addresses; serverAuth"
else
	not_ok "subjectAltName and serverAuth" "$(cat san.out)"
fi
openssl x509 -in p/ca.pem -noout -ext basicConstraints >ca.out 2>&1 || true
if grep -q 'CA:TRUE' ca.out; then ok "ca.pem is a CA certificate"; else not_ok "ca.pem is a CA" "$(cat ca.out)"; fi
end=$(openssl x509 -in p/server.pem -noout -enddate | sed 's/^notAfter=//')
days=$((($(date -d "$end" +%s) - $(date +%s)) / 86400))
if [ "$days" -ge 29 ] && [ "$days" -le 30 ]; then ok "--days 30: valid 30 days"; else not_ok "--days 30" "ends $end ($days days)"; fi
openssl x509 -in p/upsd.pem -noout -pubkey >cert.pub 2>&1 || true
openssl pkey -in p/upsd.pem -pubout >key.pub 2>&1 || true
if [ -s cert.pub ] && cmp -s cert.pub key.pub &&
	openssl x509 -in p/upsd.pem -noout -fingerprint >fp1 && openssl x509 -in p/server.pem -noout -fingerprint >fp2 &&
	cmp -s fp1 fp2; then
	ok "upsd.pem: upsd's certificate and its key"
else
	not_ok "upsd.pem: upsd's certificate and its key" "$(head -3 key.pub)"
fi
if [ "$(lines)" = "CERTFILE $work/p/upsd.pem
DISABLE_WEAK_SSL true" ] && grep -q "^	GROUP upsd HOST localhost PORT 3493 CERTFILE \"$work/p/ca.pem\"$" out; then
	ok "--pem: prints CERTFILE and the plan's GROUP line with CERTFILE ca.pem"
else
	not_ok "--pem: the printed lines" "$(cat out)"
fi

# CNs of 64 characters at most (RFC 5280): a name of 64 whole, a longer one not cut (the SAN holds it)
n64=$(printf '%031d' 0 | tr 0 a).$(printf '%032d' 0 | tr 0 b)
n70=$(printf '%031d' 0 | tr 0 a).$(printf '%038d' 0 | tr 0 c)
ts --pem --dir "$work/cn64" --name "$n64"
openssl x509 -in cn64/server.pem -noout -subject -nameopt multiline >cn64.out 2>&1 || true
if [ "$status" -eq 0 ] && grep -q "commonName *= $n64$" cn64.out && grep -q "^  server.pem   upsd's certificate (CN=$n64)," out; then
	ok "a name of 64 characters: the CN whole, and the report says so"
else
	not_ok "a name of 64 characters: the CN whole" "exit $status" "$(cat cn64.out)" "$(grep CN= out)"
fi
ts --pem --dir "$work/cn70" --name "$n70"
openssl x509 -in cn70/server.pem -noout -subject -nameopt multiline -ext subjectAltName >cn70.out 2>&1 || true
openssl x509 -in cn70/ca.pem -noout -subject -nameopt multiline >>cn70.out 2>&1 || true
if [ "$status" -eq 0 ] && grep -q "commonName *= upsd$" cn70.out && grep -q "DNS:$n70$" cn70.out &&
	grep -q "commonName *= upsplan CA$" cn70.out && grep -q "^  server.pem   upsd's certificate (CN=upsd)," out &&
	grep -q "^  ca.pem       the CA certificate (CN=upsplan CA):" out; then
	ok "a name of 70 characters: CN upsd (the CA's: upsplan CA), the name whole in the SAN; the report prints the CNs"
else
	not_ok "a name of 70 characters: a fixed CN" "exit $status" "$(cat cn70.out)" "$(grep CN= out)"
fi
ts --pem --dir "$work/c" --name localhost --client 'mon 1'
expect 2 "--client wants a name of 1 to 64 letters" "--client with a blank: usage error"
ts --pem --dir "$work/c" --name localhost --client mon-1
openssl x509 -in c/client.pem -noout -subject -ext extendedKeyUsage,subjectAltName >client.out 2>&1 || true
if [ "$status" -eq 0 ] && openssl verify -CAfile c/ca.pem c/client.pem >/dev/null 2>&1 &&
	grep -q 'CN = mon-1' client.out && grep -q 'TLS Web Client Authentication' client.out &&
	! grep -q 'Alternative' client.out && [ "$(mode c/client.key)" = 600 ] &&
	grep -q "^	    CLIENTCERT \"$work/c/client.pem\" CLIENTKEY \"$work/c/client.key\"$" out &&
	grep -q "^	CAfile = $work/c/ca.pem$" out; then
	ok "--client: a clientAuth certificate of the CA, its key 0600, the stunnel and plan lines"
else
	not_ok "--client" "exit $status" "$(cat client.out)" "$(head -3 err)"
fi

# ---------------------------------------------------------------- never overwrite

find p -type f -exec cksum {} + | sort >before
ts --pem --dir "$work/p"
expect 1 "$work/p/ca.key exists: tls-setup never overwrites a key or a certificate.*move $work/p away" \
	"a second run into the same directory: refused, naming the key and what to do"
find p -type f -exec cksum {} + | sort >after
if cmp -s before after; then ok "the refused run changed nothing"; else not_ok "the refused run changed nothing" "$(diff before after)"; fi
mkdir q
echo "mine" >q/server.pem
ts --pem --dir "$work/q"
expect 1 "$work/q/server.pem exists" "a directory with a server.pem of its own: refused, naming it"
if [ "$(ls q)" = server.pem ] && [ "$(cat q/server.pem)" = mine ]; then
	ok "nothing was made beside it"
else
	not_ok "nothing was made beside it" "$(ls q)"
fi
ln -s "$work/elsewhere" q2
ts --pem --dir "$work/q2"
expect 1 "$work/q2 is a symbolic link to nothing: give another --dir" \
	"--dir a dangling symbolic link: refused"
if [ ! -e "$work/elsewhere" ]; then ok "nothing was made where the link points"; else not_ok "the link was followed"; fi

# ---------------------------------------------------------------- unwritable places

echo x >afile
ts --pem --dir "$work/afile/sub"
expect 1 "cannot use $work/afile/sub: Not a directory" "--dir under a file: the place is named"
ts --pem --dir "$work/nope/sub"
expect 1 "cannot create the directory $work/nope/sub: No such file or directory \(make its parent first" \
	"--dir whose parent is missing: says to make it"
if [ "$(id -u)" -ne 0 ]; then
	mkdir ro
	chmod 555 ro
	ts --pem --dir "$work/ro"
	expect 1 "cannot write in $work/ro" "a directory this user cannot write in: named"
	ts --pem --dir "$work/ro/sub"
	expect 1 "cannot create the directory $work/ro/sub: Permission denied \(run as root, or give another --dir\)" \
		"a directory this user cannot make: says to run as root"
	chmod 755 ro
else
	tap_skip "root writes anywhere" "a directory this user cannot write in: named" \
		"a directory this user cannot make: says to run as root"
fi

# ---------------------------------------------------------------- upsd's TLS library

cp "$upsplan" ./linked-with-openssl
ts --upsd "$work/linked-with-openssl" --dir "$work/det"
expect 0 "linked-with-openssl is built with OpenSSL: a PEM CERTFILE" "--upsd: a program linking libssl is an OpenSSL build"
if [ -f det/upsd.pem ] && [ ! -e det/nssdb ]; then ok "... and gets upsd.pem"; else not_ok "... and gets upsd.pem" "$(ls det)"; fi
# without section headers (as sstrip leaves a program): the program headers' PT_DYNAMIC tells
cp "$upsplan" ./no-sections
case $(od -An -tu1 -j4 -N1 no-sections | tr -d ' ') in
2) at=40 shnum=60 ;;	# e_shoff, e_shnum of Elf64_Ehdr
*) at=32 shnum=48 ;;	# of Elf32_Ehdr
esac
dd if=/dev/zero of=no-sections bs=1 seek=$at count=8 conv=notrunc 2>/dev/null
dd if=/dev/zero of=no-sections bs=1 seek=$shnum count=4 conv=notrunc 2>/dev/null
ts --upsd "$work/no-sections" --dir "$work/det3"
expect 0 "no-sections is built with OpenSSL" "--upsd without section headers: the program headers tell OpenSSL"
# an ELF header with nothing after it: no telling
{ printf '\177ELF\002\001\001'; head -c 57 /dev/zero; } >bare-elf
ts --upsd "$work/bare-elf" --dir "$work/det4"
expect 1 "cannot tell which TLS library $work/bare-elf uses .*: give --nss or --pem" \
	"--upsd with no dynamic section: cannot tell, give --nss or --pem"
printf '#!/bin/sh\nexec /lib/nut/upsd "$@"\n' >script-upsd
chmod 755 script-upsd
ts --upsd "$work/script-upsd" --dir "$work/det2"
expect 1 "script-upsd is not an ELF program of this machine \(a script\? give the program it runs with --upsd=PATH, or --nss or --pem\)" \
	"--upsd a shell script (as Debian's /sbin/upsd): says what to give"
ts --upsd "$work/no-such-upsd" --dir "$work/det2"
expect 1 "cannot read $work/no-such-upsd: No such file" "--upsd missing: named"
if [ ! -e det2 ]; then ok "no directory made when upsd's library is unknown"; else not_ok "det2 was made"; fi
ts --upsd "$work/script-upsd" --nss
expect 2 "--upsd is looked at to choose between --nss and --pem" "--upsd with --nss: usage error"

# ---------------------------------------------------------------- --nss

mkdir nopath
# shellcheck disable=SC2086 # UPSPLAN_VALGRIND is words; its program is found before PATH changes
set -- ${UPSPLAN_VALGRIND:-}
if [ $# -gt 0 ]; then
	vg=$(command -v "$1")
	shift
	set -- "$vg" "$@"
fi
run env UPSPLAN_NSS_TOOLS="$work/nopath" "$@" "$upsplan" tls-setup --nss --dir "$work/n0"
expect 1 "no certutil in $work/nopath: .*\(apt-get install libnss3-tools\)" "--nss without certutil: says which package"
if [ ! -e n0 ]; then ok "... and makes nothing"; else not_ok "... and makes nothing" "$(ls n0)"; fi
# a certutil that fails: its words in the message, and nothing is left
mkdir fakebin
printf '#!/bin/sh\necho "certutil: function failed: SEC_ERROR_BAD_DATABASE" >&2\nexit 255\n' >fakebin/certutil
printf '#!/bin/sh\nexit 0\n' >fakebin/pk12util
chmod 755 fakebin/certutil fakebin/pk12util
# shellcheck disable=SC2086 # as above
run env UPSPLAN_NSS_TOOLS="$work/fakebin" "$@" "$upsplan" tls-setup --nss --dir "$work/n1"
expect 1 "upsplan tls-setup: $work/fakebin/certutil -N failed \(exit status 255\): certutil: function failed: SEC_ERROR_BAD_DATABASE" \
	"--nss, certutil fails: its path, status and output are in the message"
if [ ! -e n1 ] && grep -q "nothing was kept of this run in $work/n1" err; then
	ok "... and every file made so far is removed, the directory too"
else
	not_ok "... and every file made so far is removed" "$(ls -la n1 2>&1)"
fi
# /usr/bin's NSS tools before those of PATH; as root, only tools root alone can change
if [ -x /usr/bin/certutil ] && [ -x /usr/bin/pk12util ]; then
	# shellcheck disable=SC2086 # as above
	run env PATH="$work/fakebin:$PATH" "$@" "$upsplan" tls-setup --nss --dir "$work/ub" --name localhost
	if [ "$status" -eq 0 ] && ! grep -q fakebin err; then
		ok "--nss: /usr/bin/certutil is run, not the certutil first on PATH"
	else
		not_ok "--nss: /usr/bin/certutil before PATH" "exit $status" "$(head -3 err)"
	fi
else
	tap_skip "no /usr/bin/certutil" "--nss: /usr/bin/certutil before PATH"
fi
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir evilbin evilbin2
	cp fakebin/certutil fakebin/pk12util evilbin/
	cp fakebin/certutil fakebin/pk12util evilbin2/
	chown nobody evilbin/certutil
	chmod 775 evilbin2/certutil
	# shellcheck disable=SC2086 # as above
	run env UPSPLAN_NSS_TOOLS="$work/evilbin" "$@" "$upsplan" tls-setup --nss --dir "$work/ev"
	expect 1 "refusing to run $work/evilbin/certutil as root: it is not root's; use /usr/bin/certutil" \
		"as root, a certutil of another user: refused"
	# shellcheck disable=SC2086 # as above
	run env UPSPLAN_NSS_TOOLS="$work/evilbin2" "$@" "$upsplan" tls-setup --nss --dir "$work/ev"
	expect 1 "refusing to run $work/evilbin2/certutil as root: it is writable by group or others" \
		"as root, a certutil its group may change: refused"
else
	tap_skip "not root" "as root, a certutil of another user" "as root, a certutil its group may change"
fi
if [ -n "$have_nss" ]; then
	ts --nss --dir "$work/n" --name localhost
	if [ "$status" -eq 0 ] && [ "$(mode n/nssdb)" = 700 ] && [ "$(mode n/nssdb/key4.db)" = 600 ] &&
		[ "$(mode n/nssdb.pass)" = 600 ] && [ ! -e n/.upsd.p12 ] && [ ! -e n/.upsd.p12.pass ]; then
		ok "--nss: exit 0, the database 0700 with files 0600, no PKCS#12 left behind"
	else
		not_ok "--nss: the database" "exit $status" "$(ls -la n n/nssdb 2>&1)" "$(head -3 err)"
	fi
	certutil -K -d "sql:$work/n/nssdb" -f n/nssdb.pass >keys.out 2>&1 || true
	pass=$(cat n/nssdb.pass)
	if grep -q ' upsd$' keys.out && [ "$(lines | sed -n 2p)" = "CERTIDENT \"upsd\" \"<the password in $work/n/nssdb.pass>\"" ] &&
		[ "$(lines | sed -n 1p)" = "CERTPATH $work/n/nssdb" ] && [ "${#pass}" -eq 24 ]; then
		ok "--nss: the key 'upsd' opens with the password of nssdb.pass, which CERTIDENT refers to"
	else
		not_ok "--nss: key, CERTPATH and CERTIDENT" "$(cat keys.out)" "$(lines)"
	fi
	# the printed command that adds the CERTIDENT line, run on a scratch upsd.conf
	: >paste.conf
	sed -n 's/^	\(printf .*\) >>\/etc\/nut\/upsd.conf$/\1 >>paste.conf/p' out >paste.sh
	if ! grep -q "$pass" out err && [ -s paste.sh ] && sh paste.sh && [ "$(cat paste.conf)" = "CERTIDENT \"upsd\" \"$pass\"" ]; then
		ok "--nss: the password is not printed; the printed command adds CERTIDENT with it"
	else
		not_ok "--nss: the password is not printed" "$(cat out)"
	fi
	printf 'LISTEN 127.0.0.1 3493\n' >nss-upsd.conf
	ts --nss --dir "$work/na" --name localhost --apply --upsd-conf "$work/nss-upsd.conf"
	pass=$(cat na/nssdb.pass 2>/dev/null || echo none)
	if [ "$status" -eq 0 ] && ! grep -q "$pass" out err && grep -q "^CERTIDENT \"upsd\" \"$pass\"$" nss-upsd.conf &&
		grep -q "^(The password is not printed: --apply wrote it to $work/nss-upsd.conf" out; then
		ok "--nss --apply: upsd.conf gets the password, the output does not"
	else
		not_ok "--nss --apply: the password" "exit $status" "$(cat nss-upsd.conf)" "$(cat out)"
	fi
	if [ "$(id -u)" -eq 0 ] && id nut >/dev/null 2>&1; then
		if [ "$(stat -c %U:%G n/nssdb n/nssdb/cert9.db n/nssdb/key4.db | sort -u)" = "nut:$(id -gn nut)" ] &&
			[ "$(stat -c %U n/ca.key n/nssdb.pass | sort -u)" = root ]; then
			ok "as root: the database is the user nut's, the CA key and the password root's"
		else
			not_ok "as root: owners" "$(ls -la n n/nssdb)"
		fi
		# what upsd does after switching to nut: open the database and its key
		cp n/nssdb.pass pass-copy
		chmod 644 pass-copy
		if command -v setpriv >/dev/null 2>&1 && [ "$(namei -m "$work" | awk 'NR > 1 && $1 !~ /^d........x$/' | wc -l)" -eq 0 ]; then
			if setpriv --reuid=nut --regid="$(id -g nut)" --clear-groups \
				certutil -K -d "sql:$work/n/nssdb" -f "$work/pass-copy" >as-nut.out 2>&1 &&
				grep -q ' upsd$' as-nut.out; then
				ok "the user nut opens the database and finds the key"
			else
				not_ok "the user nut opens the database" "$(cat as-nut.out)"
			fi
			if setpriv --reuid=nobody --regid=nogroup --clear-groups \
				certutil -K -d "sql:$work/n/nssdb" -f "$work/pass-copy" >as-nobody.out 2>&1; then
				not_ok "another user cannot open the database" "$(cat as-nobody.out)"
			else
				ok "another user cannot open the database"
			fi
		else
			tap_skip "no setpriv, or a directory above $work others cannot enter" \
				"the user nut opens the database" "another user cannot open the database"
		fi
	else
		tap_skip "not root, or no user nut" "as root: the database is the user nut's" \
			"the user nut opens the database" "another user cannot open the database"
	fi
else
	tap_skip "no certutil (apt-get install libnss3-tools)" "--nss: the database" "--nss: key and CERTIDENT" \
		"--nss: the password is not printed" "--nss --apply: the password" \
		"as root: owners" "the user nut opens the database" "another user cannot open the database"
fi

# ---------------------------------------------------------------- as root: where root writes

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir ww nob nob2 sticky
	chmod 777 ww
	chmod 1777 sticky
	chown nobody nob nob2
	ts --pem --dir "$work/ww/d"
	expect 1 "refusing --dir $work/ww/d as root: $work/ww is writable by group or others without the sticky bit.*chmod go-w $work/ww" \
		"as root, --dir under a directory every user may write in: refused, naming it and the fix"
	ts --pem --dir "$work/nob/d"
	expect 1 "refusing --dir $work/nob/d as root: $work/nob is not root's.*chown root $work/nob" \
		"as root, --dir under a directory of another user: refused"
	ts --pem --dir "$work/nob2"
	expect 1 "refusing --dir $work/nob2 as root: $work/nob2 is not root's" "as root, --dir of another user: refused"
	if [ ! -e ww/d ] && [ ! -e nob/d ] && [ -z "$(ls nob2)" ]; then
		ok "... and nothing was made there"
	else
		not_ok "... and nothing was made there" "$(ls -la ww nob nob2)"
	fi
	ts --pem --dir "$work/sticky/d"
	if [ "$status" -eq 0 ] && [ -f sticky/d/upsd.pem ]; then
		ok "as root, --dir under a sticky directory every user may write in (as /tmp): taken"
	else
		not_ok "as root, --dir under a sticky directory: taken" "exit $status" "$(head -3 err)"
	fi
else
	tap_skip "not root, or no user nobody" "--dir under a directory every user may write in" \
		"--dir under a directory of another user" "--dir of another user" "... and nothing was made there" \
		"--dir under a sticky directory"
fi
# a certutil that swaps the database for a symbolic link once it is made: root follows no link
if [ "$(id -u)" -eq 0 ] && [ -n "$have_nss" ] && id nut >/dev/null 2>&1; then
	mkdir racebin victim
	echo one >victim/f1
	echo two >victim/f2
	chmod 640 victim/f2
	cat >racebin/certutil <<EOF
#!/bin/sh
db= prev=
for a in "\$@"; do [ "\$prev" = -d ] && db=\${a#sql:}; prev=\$a; done
$(command -v certutil) "\$@" || exit \$?
case " \$* " in
*" -L "*) mv "\$db" "\$db.moved" && ln -s "$work/victim" "\$db"; exit \${RACE_EXIT:-0} ;;
esac
EOF
	chmod 755 racebin/certutil
	ln -s "$(command -v pk12util)" racebin/pk12util
	stat -c '%U:%G %a %s %n' victim victim/* >victim.before
	# shellcheck disable=SC2086 # as above
	run env UPSPLAN_NSS_TOOLS="$work/racebin" "$@" "$upsplan" tls-setup --nss --dir "$work/race0" --name localhost
	stat -c '%U:%G %a %s %n' victim victim/* >victim.after 2>&1 || true
	if [ "$status" -eq 1 ] && grep -q "race0/nssdb is not the directory this run made (a symbolic link is there now)" err &&
		cmp -s victim.before victim.after; then
		ok "nssdb swapped for a link to another directory: refused; that directory's owners and modes unchanged"
	else
		not_ok "nssdb swapped for a link: not followed" "exit $status" "$(cat victim.after)" "$(head -3 err)"
	fi
	# shellcheck disable=SC2086 # as above
	run env RACE_EXIT=1 UPSPLAN_NSS_TOOLS="$work/racebin" "$@" "$upsplan" tls-setup --nss --dir "$work/race1" --name localhost
	stat -c '%U:%G %a %s %n' victim victim/* >victim.after 2>&1 || true
	if [ "$status" -eq 1 ] && grep -q "nothing was kept of this run in $work/race1" err && cmp -s victim.before victim.after &&
		[ ! -e race1/ca.key ] && [ ! -e race1/nssdb.pass ]; then
		ok "... and when certutil then fails, the undo removes this run's files, none where the link points"
	else
		not_ok "... the undo follows no link" "exit $status" "$(cat victim.after)" "$(ls -la race1)" "$(head -3 err)"
	fi
else
	tap_skip "not root, or no certutil, or no user nut" "nssdb swapped for a link: not followed" \
		"... the undo follows no link"
fi

# ---------------------------------------------------------------- interrupted

# SIGTERM (as Ctrl-C or a shutdown) while the database is made, the PKCS#12 on disk: nothing stays
if [ -n "$have_nss" ]; then
	mkdir killbin
	cat >killbin/certutil <<EOF
#!/bin/sh
case " \$* " in *" -A "*) kill -TERM \$PPID ;; esac
exec $(command -v certutil) "\$@"
EOF
	chmod 755 killbin/certutil
	ln -s "$(command -v pk12util)" killbin/pk12util
	# shellcheck disable=SC2086 # as above
	run env UPSPLAN_NSS_TOOLS="$work/killbin" "$@" "$upsplan" tls-setup --nss --dir "$work/killed" --name localhost
	if [ "$status" -eq 143 ] && [ ! -e killed ] && grep -q "interrupted (Terminated)" err &&
		grep -q "nothing was kept of this run in $work/killed" err; then
		ok "SIGTERM while certutil runs: the files made so far removed, then it dies by the signal"
	else
		not_ok "SIGTERM while certutil runs: nothing left" "exit $status" "$(ls -la killed 2>&1)" "$(head -3 err)"
	fi
else
	tap_skip "no certutil" "SIGTERM while certutil runs: nothing left"
fi

# ---------------------------------------------------------------- --apply

printf '# upsd.conf of a test\nLISTEN 127.0.0.1 3493\nMAXAGE 15' >upsd.conf	# no final newline
chmod 640 upsd.conf
cp upsd.conf upsd.conf.orig
ts --pem --dir "$work/a1" --apply --upsd-conf "$work/upsd.conf"
printf '\n# TLS: added by upsplan tls-setup on DATE\nCERTFILE %s/a1/upsd.pem\nDISABLE_WEAK_SSL true\n' "$work" >tail.want
sed '1,3d; s/ on 20[0-9-]* [0-9:]* UTC$/ on DATE/' upsd.conf >tail.have
if [ "$status" -eq 0 ] && [ "$(head -c "$(wc -c <upsd.conf.orig)" upsd.conf)" = "$(cat upsd.conf.orig)" ] &&
	cmp -s tail.want tail.have && [ "$(mode upsd.conf)" = 640 ]; then
	ok "--apply: the lines appended, the rest and the mode (0640) kept"
else
	not_ok "--apply: the lines appended" "exit $status" "$(cat upsd.conf)" "$(head -3 err)"
fi
if cmp -s upsd.conf.orig upsd.conf.upsplan-bak && grep -q "^Added to $work/upsd.conf (the old file is $work/upsd.conf.upsplan-bak)" out; then
	ok "--apply: the old file kept as upsd.conf.upsplan-bak, and said so"
else
	not_ok "--apply: the backup" "$(ls)" "$(grep Added out)"
fi
cp upsd.conf applied
ts --pem --dir "$work/a2" --apply --upsd-conf "$work/upsd.conf"
expect 1 "$work/upsd.conf:6 sets CERTFILE already, to another value: remove that line" \
	"--apply on a upsd.conf with another CERTFILE: refused, naming the line"
if cmp -s applied upsd.conf && [ ! -e a2 ] && [ ! -e upsd.conf.upsplan-bak.1 ]; then
	ok "... upsd.conf unchanged, no directory made"
else
	not_ok "... upsd.conf unchanged, no directory made" "$(ls)"
fi
printf 'DISABLE_WEAK_SSL   true  # already\n' >upsd2.conf
if [ "$(id -u)" -eq 0 ]; then chown nobody upsd2.conf; fi
owner=$(stat -c %U:%G upsd2.conf)
ts --pem --dir "$work/a3" --apply --upsd-conf "$work/upsd2.conf"
if [ "$status" -eq 0 ] && [ "$(grep -c DISABLE_WEAK_SSL upsd2.conf)" -eq 1 ] && grep -q "^CERTFILE $work/a3/upsd.pem$" upsd2.conf &&
	[ "$(stat -c %U:%G upsd2.conf)" = "$owner" ]; then
	ok "--apply: a line already there is not added twice; the owner ($owner) kept"
else
	not_ok "--apply: a line already there" "exit $status" "$(cat upsd2.conf)" "$(stat -c %U:%G upsd2.conf)"
fi
# a line of 3000 bytes before the conflict: read whole, the line number right
{ printf 'MAXAGE 15 "%s"\n' "$(printf '%03000d' 0)"; printf 'DISABLE_WEAK_SSL true\nCERTFILE /else/upsd.pem\n'; } >long.conf
ts --pem --dir "$work/a6" --apply --upsd-conf "$work/long.conf"
expect 1 "$work/long.conf:3 sets CERTFILE already" "--apply on a upsd.conf with a 3000-byte line: the conflict after it named"
ts --pem --dir "$work/a5" --apply --upsd-conf "$work/no-upsd.conf"
expect 1 "cannot read $work/no-upsd.conf: No such file or directory \(is nut-server installed\? give --upsd-conf=FILE\)" \
	"--apply without upsd.conf: named, with what to do"
# a file shorter than its size says (sysfs: 4096): refused, never written back short
short=/sys/devices/system/cpu/online
if [ -f "$short" ] && [ "$(stat -c %s "$short")" -ne "$(wc -c <"$short")" ]; then
	ts --pem --dir "$work/a7" --apply --upsd-conf "$short"
	expect 1 "cannot read $short: read [0-9]+ of its 4096 bytes" "--apply on a upsd.conf read short: refused, saying so"
else
	tap_skip "no $short shorter than its size" "--apply on a upsd.conf read short"
fi
ln -s upsd.conf upsd-link.conf
ts --pem --dir "$work/a4" --apply --upsd-conf "$work/upsd-link.conf"
expect 1 "upsd-link.conf is a symbolic link: give --upsd-conf with upsd.conf itself" "--apply on a symbolic link: refused"

tap_done
exit 0
