#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# email.sh - TAP: upsplan-mail (runtime/mail/mail-main.c, email.c: what sends the daemon's EMAIL) against tests/email/fake-smtp: TLS modes, AUTH, failures, headers, RFC 2047.
#
# Each mail is a job on upsplan-mail's standard input, as `upsplan run`
# writes it.  Throwaway CAs and server certificates are made with the
# openssl CLI; every server listens on a free port of 127.0.0.1 and is
# killed on exit.
# Environment: EMAIL_TEST_BIN (directory of fake-smtp; default tests/email
# in the current directory, the build tree), UPSPLAN_MAIL (the helper;
# default $EMAIL_TEST_BIN/../../upsplan-mail), EMAIL_SEND_WRAPPER (a command
# that runs the helper, e.g. "valgrind --leak-check=full --error-exitcode=99
# -q"; any exit status other than 0 or 1 fails the test; the time limits
# checked allow 3 s more for its start-up).  Scratch files:
# tests/email/email.d in the current directory, kept when a test fails
# or EMAIL_TEST_KEEP is set.
set -u
LC_ALL=C
export LC_ALL

bin=${EMAIL_TEST_BIN:-tests/email}
send=${UPSPLAN_MAIL:-$bin/../../upsplan-mail}
fake=$bin/fake-smtp
wrapper=${EMAIL_SEND_WRAPPER:-}
slack=0
[ -n "$wrapper" ] && slack=3
if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP the openssl command is not installed"
	exit 0
fi
for p in "$send" "$fake"; do
	if [ ! -x "$p" ]; then
		echo "Bail out! $p is not an executable (make check builds it)"
		exit 1
	fi
done

work=$(pwd)/tests/email/email.d
rm -rf "$work"
mkdir -p "$work" || exit 1
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

n=0
failed=0
# ok STATUS DESCRIPTION: one TAP line, passing when STATUS is 0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds
check() {
	d=$1
	shift
	if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}
# has FILE FIXED-STRING / hasline FILE LINE / hasnt FILE FIXED-STRING
has() { grep -F -q -e "$2" "$1"; }
hasline() { grep -F -x -q -e "$2" "$1"; }
hasnt() { ! grep -F -q -e "$2" "$1"; }
# lt A B: the number A is below B
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

## certificates: two CAs; server certificates for 127.0.0.1 + localhost and for another name
cat > "$work/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
x509_extensions = v3_ca
[dn]
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
mkca() {
	openssl req -config "$work/ca.cnf" -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$work/$1.key" -out "$work/$1.crt" -days 2 -subj "/CN=$2" 2>>"$work/openssl.log"
}
# mkcert NAME CA SUBJECT-ALT-NAMES
mkcert() {
	printf 'subjectAltName = %s\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n' \
		"$3" > "$work/$1.ext"
	openssl req -config "$work/ca.cnf" -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$work/$1.key" -out "$work/$1.csr" -subj "/CN=$1" 2>>"$work/openssl.log" &&
	openssl x509 -req -in "$work/$1.csr" -CA "$work/$2.crt" -CAkey "$work/$2.key" -CAcreateserial \
		-out "$work/$1.crt" -days 2 -extfile "$work/$1.ext" 2>>"$work/openssl.log"
}
if ! { mkca ca "upsplan test CA" && mkca otherca "another test CA" &&
	mkcert server ca "IP:127.0.0.1, DNS:localhost" && mkcert wrongname ca "DNS:mail.example.org"; }; then
	echo "Bail out! openssl could not make the test certificates (see $work/openssl.log)"
	exit 1
fi
CA=$work/ca.crt
TLSARGS="--cert $work/server.crt --key $work/server.key"

# serve NAME FAKE-SMTP-OPTIONS...: start fake-smtp recording into NAME.rec; sets $port
serve() {
	sname=$1
	shift
	"$fake" --max-seconds 90 --out "$work/$sname.rec" "$@" 0 >"$work/$sname.port" 2>"$work/$sname.log" &
	pids="$pids $!"
	i=0
	until grep -q '^[0-9][0-9]*$' "$work/$sname.port" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ]; then
			echo "Bail out! fake-smtp $* did not start: $(cat "$work/$sname.log")"
			exit 1
		fi
		sleep 0.05
	done
	port=$(head -n 1 "$work/$sname.port")
}
# field TEXT: one field of a mail job ("LENGTH\nBYTES\n", runtime/mail/mail-job.h)
field() {
	printf '%d\n%s\n' "$(printf '%s' "$1" | wc -c)" "$1"
}
# mail NAME [--implicit-tls] [--user U] [--password P] [--cafile F] [--timeout S] [--now EPOCH]
#      [--body TEXT | --body-file FILE] HOST PORT FROM TO SUBJECT:
# send one mail with upsplan-mail; sets $rc (0 sent, 3 failed, else a crash), $res ("sent" or
# "failed: REASON"), $elapsed (seconds)
mail() {
	mname=$1
	shift
	m_tls=0 m_user= m_pass= m_ca= m_timeout=10 m_now=$(date +%s) m_body= m_bodyfile=
	while [ $# -gt 5 ]; do
		case $1 in
		--implicit-tls) m_tls=1; shift ;;
		--user) m_user=$2; shift 2 ;;
		--password) m_pass=$2; shift 2 ;;
		--cafile) m_ca=$2; shift 2 ;;
		--timeout) m_timeout=$2; shift 2 ;;
		--now) m_now=$2; shift 2 ;;
		--body) m_body=$2; shift 2 ;;
		--body-file) m_bodyfile=$2; shift 2 ;;
		*) echo "Bail out! mail: unknown option $1"; exit 1 ;;
		esac
	done
	{
		field "$1"; field "$2"; field $m_tls; field "$m_user"; field "$m_pass"; field "$m_ca"; field "$m_timeout"
		field "$3"; field "$4"; field "$5"
		if [ -n "$m_bodyfile" ]; then
			printf '%d\n' "$(wc -c <"$m_bodyfile")"
			cat "$m_bodyfile"
			printf '\n'
		else
			field "$m_body"
		fi
		field "$m_now"
	} >"$work/$mname.job"
	m_t0=$(date +%s%N)
	# shellcheck disable=SC2086 # the wrapper is a command line
	$wrapper "$send" <"$work/$mname.job" >"$work/$mname.out" 2>"$work/$mname.stderr"
	rc=$?
	elapsed=$(awk -v a="$m_t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	if [ $rc -eq 0 ]; then
		res=sent
	elif [ $rc -eq 1 ] && grep -q '^mail not sent: ' "$work/$mname.stderr"; then
		rc=3
		res="failed: $(sed -n 's/^mail not sent: //p' "$work/$mname.stderr" | head -n 1)"
	else
		res="crashed"
		echo "# upsplan-mail exited with $rc (crash or checker error): $(head -c 2000 "$work/$mname.stderr")"
	fi
	# the message as received (CR LF lines), its unfolded headers (no CR) and its body
	awk 'm && /^END$/ { exit } m { print } /^DATA$/ { m = 1 }' "$work/$mname.rec" >"$work/$mname.msg" 2>/dev/null
	awk '{ sub(/\r$/, "") } /^$/ { exit } { print }' "$work/$mname.msg" >"$work/$mname.rawhdr"
	awk '/^[ \t]/ { cur = cur $0; next } { if (NR > 1) print cur; cur = $0 } END { if (NR) print cur }' \
		"$work/$mname.rawhdr" >"$work/$mname.hdr"
	awk 'b { print } !b && /^\r$/ { b = 1 }' "$work/$mname.msg" >"$work/$mname.body"
}
sent() { [ "$rc" -eq 0 ] && [ "$res" = sent ]; }
refused_with() { [ "$rc" -eq 3 ] && case $res in "failed: mail refused: "*"$1"*) true ;; *) false ;; esac; }
failed_with() { [ "$rc" -eq 3 ] && case $res in "failed: "*"$1"*) true ;; *) false ;; esac; }
# decode_header NAME HEADER: the decoded encoded-words of HEADER into NAME.dec; fails on a malformed word
decode_header() {
	: >"$work/$1.dec"
	v=$(sed -n "s/^$2: //p" "$work/$1.hdr")
	[ -n "$v" ] || return 1
	set -f
	for w in $v; do
		case $w in
		=\?UTF-8\?B\?*\?=) ;;
		*) set +f; return 1 ;;
		esac
		[ ${#w} -le 75 ] || { set +f; return 1; }
		w=${w#=?UTF-8?B?}
		w=${w%?=}
		printf '%s' "$w" | base64 -d >"$work/word" 2>/dev/null || { set +f; return 1; }
		iconv -f UTF-8 -t UTF-8 <"$work/word" >/dev/null 2>&1 || { set +f; return 1; }
		cat "$work/word" >>"$work/$1.dec"
	done
	set +f
}
# lines of NAME.rawhdr starting with HEADER (and its continuation lines) are at most 78 long
folded_ok() {
	awk -v h="$2:" 'index($0, h) == 1 { in_h = 1; if (length($0) > 78) bad = 1; next }
		/^[ \t]/ && in_h { if (length($0) > 78) bad = 1; next } { in_h = 0 } END { exit bad }' "$work/$1.rawhdr"
}
# every line of FILE ends with CR LF and holds no other CR
crlf_only() {
	awk '!/\r$/ { bad = 1 } { sub(/\r$/, ""); if (index($0, "\r")) bad = 1 } END { exit bad }' "$1"
}
NOW=1700000000
FROM="UPS monitor <ups@example.org>"

## 1. implicit TLS, AUTH PLAIN: envelope, headers, body
printf 'line one\n.hidden dot line\n.\n..two dots\nlast\r\nCR only\rend' >"$work/body1"
serve implicit --tls implicit $TLSARGS --auth alice:s3cret-pw --count 1
mail implicit --implicit-tls --cafile "$CA" --user alice --password s3cret-pw --now $NOW \
	--body-file "$work/body1" 127.0.0.1 "$port" "$FROM" "<root@example.org>" "UPS-1 on battery"
check "implicit TLS: sent ($res)" sent
check "implicit TLS: AUTH PLAIN over TLS accepted" hasline "$work/implicit.rec" "AUTH PLAIN tls=1 user=alice ok"
check "implicit TLS: envelope sender" hasline "$work/implicit.rec" "MAIL FROM:<ups@example.org>"
check "implicit TLS: envelope recipient" hasline "$work/implicit.rec" "RCPT TO:<root@example.org>"
check "Date header in RFC 5322 form, UTC" hasline "$work/implicit.hdr" "Date: Tue, 14 Nov 2023 22:13:20 +0000"
check "From header" hasline "$work/implicit.hdr" "From: UPS monitor <ups@example.org>"
check "To header" hasline "$work/implicit.hdr" "To: <root@example.org>"
check "short ASCII Subject sent as is" hasline "$work/implicit.hdr" "Subject: UPS-1 on battery"
check "Message-ID <time.pid.random@domain-of-from>" \
	grep -E -x -q "Message-ID: <$NOW\.[0-9]+\.[0-9a-f]{16}@example\.org>" "$work/implicit.hdr"
check "MIME-Version header" hasline "$work/implicit.hdr" "MIME-Version: 1.0"
check "Content-Type header" hasline "$work/implicit.hdr" "Content-Type: text/plain; charset=UTF-8"
check "Content-Transfer-Encoding header" hasline "$work/implicit.hdr" "Content-Transfer-Encoding: 8bit"
check "X-Mailer header" hasline "$work/implicit.hdr" "X-Mailer: upsplan"
check "each header once" test "$(cut -d: -f1 "$work/implicit.hdr" | sort | uniq -d | wc -l)" -eq 0
check "every message line ends with CR LF" crlf_only "$work/implicit.msg"
printf 'line one\r\n.hidden dot line\r\n.\r\n..two dots\r\nlast\r\nCR only\r\nend\r\n' >"$work/body1.want"
check "body: line ends normalised, lines starting with '.' intact (stuffed once)" \
	cmp -s "$work/implicit.body" "$work/body1.want"

## 2. STARTTLS, AUTH LOGIN: long lines wrapped at 998 bytes between characters
awk 'BEGIN { for (i = 0; i < 2500; i++) printf "a"; printf "\n"; for (i = 0; i < 998; i++) printf "b"; printf "\n";
	for (i = 0; i < 999; i++) printf "c"; printf "\n"; for (i = 0; i < 700; i++) printf "\303\251"; printf "\n" }' \
	>"$work/body2"
awk 'function r(c, k,  s, i) { s = ""; for (i = 0; i < k; i++) s = s c; return s }
	BEGIN { printf "%s\r\n%s\r\n%s\r\n", r("a", 998), r("a", 998), r("a", 504); printf "%s\r\n", r("b", 998);
	printf "%s\r\n%s\r\n", r("c", 998), "c"; printf "%s\r\n%s\r\n", r("\303\251", 499), r("\303\251", 201) }' \
	>"$work/body2.want"
serve starttls --tls starttls $TLSARGS --auth alice:s3cret-pw --mechs LOGIN --count 1
mail starttls --cafile "$CA" --user alice --password s3cret-pw --now $NOW --body-file "$work/body2" \
	127.0.0.1 "$port" "$FROM" "root@example.org" "UPS-1 on battery"
check "STARTTLS: sent ($res)" sent
check "STARTTLS: the client asked for it" hasline "$work/starttls.rec" "STARTTLS"
check "STARTTLS: EHLO again over TLS" grep -q '^EHLO .* tls=1$' "$work/starttls.rec"
check "STARTTLS: AUTH LOGIN only over TLS" \
	sh -c 'grep "^AUTH" "$1" | grep -v -q "tls=1" && exit 1; grep -q -x "AUTH LOGIN tls=1 user=alice ok" "$1"' \
	sh "$work/starttls.rec"
check "STARTTLS: bare envelope recipient" hasline "$work/starttls.rec" "RCPT TO:<root@example.org>"
check "long lines wrapped at 998 bytes, UTF-8 characters kept whole" cmp -s "$work/starttls.body" "$work/body2.want"

## 3. no STARTTLS offered: refused before any credentials or mail
serve nostarttls --tls none --auth alice:s3cret-pw --count 1
mail nostarttls --cafile "$CA" --user alice --password s3cret-pw --now $NOW --body x \
	127.0.0.1 "$port" "$FROM" "root@example.org" "test"
check "no STARTTLS: fails naming STARTTLS and the server ($res)" failed_with "127.0.0.1:$port: STARTTLS refused"
check "no STARTTLS: no AUTH sent in clear" hasnt "$work/nostarttls.rec" "AUTH"
check "no STARTTLS: password never seen" hasnt "$work/nostarttls.rec" "s3cret-pw"
check "no STARTTLS: no MAIL sent" hasnt "$work/nostarttls.rec" "MAIL"
check "no STARTTLS: the server was reached" hasline "$work/nostarttls.rec" "CONNECT"

## 4. wrong password
serve badpw --tls implicit $TLSARGS --auth alice:s3cret-pw --count 1
mail badpw --implicit-tls --cafile "$CA" --user alice --password wrong --now $NOW --body x \
	127.0.0.1 "$port" "$FROM" "root@example.org" "test"
check "wrong password: authentication failed with the 535 reply ($res)" failed_with "authentication failed (535 "
check "wrong password: no MAIL after the refusal" hasnt "$work/badpw.rec" "MAIL FROM"

## 5. recipient refused
serve rcpt --tls starttls $TLSARGS --reject-rcpt --count 1
mail rcpt --cafile "$CA" --now $NOW --body x 127.0.0.1 "$port" "$FROM" "nobody@example.org" "test"
check "550 recipient: recipient refused with the reply ($res)" failed_with "recipient refused (550 "
check "550 recipient: no DATA sent" hasnt "$work/rcpt.rec" "DATA"

## 6. a server that never answers: timeout
serve hang1 --hang
mail hang1 --implicit-tls --cafile "$CA" --timeout 2 --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "hang (implicit TLS): timed out after 2 s ($res)" failed_with "127.0.0.1:$port: timed out after 2 s"
check "hang (implicit TLS): gave up within the timeout + 2 s (${elapsed:-?} s)" lt "${elapsed:-99}" $((4 + slack))
check "hang (implicit TLS): waited for the timeout" lt 1.8 "${elapsed:-0}"
serve hang2 --hang
mail hang2 --cafile "$CA" --timeout 1.5 --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "hang (no greeting): timed out after 1.5 s ($res)" failed_with "timed out after 1.5 s"
check "hang (no greeting): gave up within the timeout + 2 s (${elapsed:-?} s)" lt "${elapsed:-99}" $((3 + slack)).5
# the timeout is the whole exchange's: under valgrind the handshake and
# the dialogue before the stall take seconds of it, so it is longer there
tmo=2
[ -n "$wrapper" ] && tmo=8
serve stall --tls implicit $TLSARGS --stall-data
mail stall --implicit-tls --cafile "$CA" --timeout $tmo --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "no reply to the message: timed out after $tmo s ($res)" failed_with "timed out after $tmo s"
check "no reply to the message: gave up within the timeout + 2 s (${elapsed:-?} s)" lt "${elapsed:-99}" $((tmo + 2 + slack))
check "no reply to the message: it was sent whole" hasline "$work/stall.rec" "STALL"
serve stallquit --tls implicit $TLSARGS --stall-quit --count 1
mail stallquit --implicit-tls --cafile "$CA" --timeout $tmo --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "no reply to QUIT: the accepted mail counts as sent ($res)" sent
check "no reply to QUIT: gave up within the timeout + 2 s (${elapsed:-?} s)" lt "${elapsed:-99}" $((tmo + 2 + slack))

## 7. certificate checks
serve otherca --tls implicit $TLSARGS --auth alice:s3cret-pw
mail otherca --implicit-tls --cafile "$work/otherca.crt" --user alice --password s3cret-pw --body x \
	127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "CA file of another CA: certificate verify failed ($res)" failed_with "certificate verify failed: "
mail sysca --implicit-tls --user alice --password s3cret-pw --body x \
	127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "system CA store does not know the test CA ($res)" failed_with "certificate verify failed: "
check "no credentials sent to an unverified server" hasnt "$work/otherca.rec" "AUTH"
serve wrongname --tls starttls --cert "$work/wrongname.crt" --key "$work/wrongname.key"
mail wrongname --cafile "$CA" --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "certificate for another host name refused ($res)" failed_with "certificate verify failed: "
check "nothing sent to the wrongly named server" hasnt "$work/wrongname.rec" "MAIL"
serve byname --tls starttls $TLSARGS --count 1
mail byname --cafile "$CA" --body x localhost "$port" "$FROM" "root@example.org" "t"
check "server reached by the name in its certificate ($res)" sent

## 8. refused before connecting: line breaks and bad addresses
serve never --tls none
refuse() {
	desc=$1
	want=$2
	shift 2
	mail refused --cafile "$CA" --body x 127.0.0.1 "$port" "$@"
	check "$desc ($res)" refused_with "$want"
}
CR=$(printf '\r')
LF='
'
refuse "CR in Subject refused" "Subject contains a line break" "$FROM" "root@example.org" "a${CR}Bcc: x@example.net"
refuse "LF in Subject refused" "Subject contains a line break" "$FROM" "root@example.org" "a${LF}Bcc: x@example.net"
refuse "LF in To refused" "To contains a line break" "$FROM" "root@example.org${LF}Bcc: x@example.net" "s"
refuse "CR in From refused" "From contains a line break" "ups@example.org${CR}" "root@example.org" "s"
refuse "empty <> recipient refused" "empty To address" "$FROM" "<>" "s"
refuse "empty To refused" "empty To address" "$FROM" "" "s"
refuse "empty entry between commas refused" "empty To address" "$FROM" "a@example.org,,b@example.org" "s"
refuse "blank inside an address refused" "contains a blank" "$FROM" "root @example.org" "s"
refuse "'<' inside an address refused" "contains '<' or '>'" "$FROM" "<a<b@example.org>" "s"
refuse "text after '>' refused" "is not of the form" "$FROM" "Root <root@example.org> x" "s"
refuse "two senders refused" "From must be one address" "a@example.org, b@example.org" "root@example.org" "s"
check "no connection for any refused mail" hasnt "$work/never.rec" "CONNECT"

## 9. RFC 2047 subjects and names, several recipients, empty body
subj=$(printf 'Onduleur \302\253 UPS-1 \302\273 sur batterie \342\200\223 arr\303\252t dans 2 minutes \342\232\241')
serve utf8 --tls implicit $TLSARGS --count 1
mail utf8 --implicit-tls --cafile "$CA" --now $NOW --body x 127.0.0.1 "$port" \
	"$(printf 'Onduleur \303\251tage 2 <ups@example.org>')" "root@example.org" "$subj"
check "non-ASCII Subject: sent ($res)" sent
decode_header utf8 Subject
check "non-ASCII Subject: encoded-words decode to the subject" test "$(cat "$work/utf8.dec")" = "$subj"
check "non-ASCII Subject: several encoded-words on folded lines of at most 78" \
	sh -c '[ "$(grep -c "^ =?UTF-8?B?" "$1")" -ge 1 ]' sh "$work/utf8.rawhdr"
check "non-ASCII Subject: folded lines at most 78 long" folded_ok utf8 Subject
check "non-ASCII display name in From encoded" \
	grep -E -x -q 'From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <ups@example\.org>' "$work/utf8.hdr"
long=$(awk 'BEGIN { for (i = 0; i < 12; i++) printf "word%02d-of-a-long-subject ", i; printf "end" }')
serve long --tls implicit $TLSARGS --count 1
mail long --implicit-tls --cafile "$CA" --now $NOW --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "$long"
check "long ASCII Subject: sent ($res)" sent
decode_header long Subject
check "long ASCII Subject: encoded-words decode to the subject" test "$(cat "$work/long.dec")" = "$long"
check "long ASCII Subject: folded lines at most 78 long" folded_ok long Subject
serve multi --tls starttls $TLSARGS --count 1
mail multi --cafile "$CA" --now $NOW --body "" 127.0.0.1 "$port" "$FROM" \
	'Root <root@example.org>, ops@example.org,"Doe, John" <jd@example.org>' "several"
check "several recipients: sent ($res)" sent
check "several recipients: one RCPT each, in order" test "$(grep '^RCPT' "$work/multi.rec" | tr '\n' ' ')" = \
	"RCPT TO:<root@example.org> RCPT TO:<ops@example.org> RCPT TO:<jd@example.org> "
check "several recipients: all in the To header" \
	hasline "$work/multi.hdr" 'To: Root <root@example.org>, ops@example.org, "Doe, John" <jd@example.org>'
check "empty body: nothing after the blank line" test ! -s "$work/multi.body"

## 10. nobody listening
serve gone --tls none
kill "$(echo "$pids" | awk '{ print $NF }')" 2>/dev/null
wait "$(echo "$pids" | awk '{ print $NF }')" 2>/dev/null
mail gone --cafile "$CA" --timeout 5 --body x 127.0.0.1 "$port" "$FROM" "root@example.org" "t"
check "closed port: cannot connect ($res)" failed_with "127.0.0.1:$port: cannot connect"

## 11. a job that is not whole: refused, nothing sent
field 127.0.0.1 >"$work/truncated.job"
field 25 >>"$work/truncated.job"
# shellcheck disable=SC2086 # the wrapper is a command line
$wrapper "$send" <"$work/truncated.job" >"$work/truncated.out" 2>&1
rc=$?
check "a truncated job is refused (exit $rc)" \
	sh -c "[ $rc -eq 1 ] && grep -q 'the mail job from the daemon is malformed' '$work/truncated.out'"

echo "1..$n"
if [ "$failed" -eq 0 ] && [ -z "${EMAIL_TEST_KEEP:-}" ]; then
	rm -rf "$work"
else
	echo "# $failed of $n failed; files in $work"
fi
exit 0
