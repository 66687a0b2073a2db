#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# gen-diagnostics.py - writes docs/diagnostics.md: one entry per code of base/diag-codes.def, examples copied from the tests/diag golden files.
# Maintainer tool: run it after changing a diagnostic or its golden test (python3 docs/gen-diagnostics.py).
import os
import re
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
codes = []
for line in open(f'{root}/base/diag-codes.def'):
    m = re.match(r'DIAG_CODE\((\w+),\s*(\d+),\s*(ERROR|WARNING|HAZARD),\s*"(.*)"\)', line)
    if m:
        codes.append((m.group(1), int(m.group(2)), m.group(3), m.group(4)))
D = {
 100: ("A FILE given to `upsplan check` cannot be opened or read: it does not exist, is not readable, or is not a regular file. A directory, a FIFO (named pipe), a device or a socket is refused at once, with what it is (`cannot read 'FILE': it is a FIFO (named pipe), not a regular file`): no plan, image or scenario is ever waited on.", "Exit status 2 (not 1): the plan was not checked at all.", "Give the path of a plan file that the checking user can read.", 'E100-missing-file'),
 110: ("`upsplan run` refuses a plan, source or image, that anyone but root can change, at start and at every reload (SIGHUP); `upsplan check --strict-modes` checks the same. The file must belong to root and be writable by neither its group nor other users; each directory of its real path (symbolic links resolved), up to `/`, must belong to root and be writable by nobody else, unless it is sticky (as `/tmp`: others may add files there, not replace this one). When `run` is started by another user than root, the file and the directories may belong to root or to that user. The message names the file or the directory and what is wrong: its owner, or who can write it (the first problem found).", "Root runs the plan's SHUTDOWNCMDs and compiles the plan again on SIGHUP: whoever can change the file, or replace it, chooses the commands root runs, and the privilege separation is undone.", "`chown root:nut PLAN && chmod 640 PLAN` (NUT's layout for upsmon.conf: root writes it, the daemon's group reads it), in a directory only root can change, such as `/etc/nut` (`chmod go-w DIR`).", 'E110-plan-writable'),
 280: ("A character that can start no token: punctuation other than `->`, `:` and `=`, a non-ASCII character outside quotes, a control or NUL byte. UPSmon.py: Error 280. A run of such bytes is reported once; checking goes on after it.", "Texts with spaces or symbols must be quoted. A lone `-` is usually a broken `->`.", "Quote the text, or delete the character.", 'E280-stray-bytes'),
 281: ("A quoted text is not closed before the end of its line. Texts cannot span lines, and there are no escapes. UPSmon.py reported Error 280 on the opening mark and then lexed the inside of the text as code, which gave a cascade of errors; upsplan takes the rest of the line as the text and goes on.", "", "Add the closing mark shown in the message on the same line, or use another of the five quote styles if the text contains the closing mark.", 'E281-unterminated'),
 282: ("A quoted text holds bytes that are not UTF-8 (often a file saved as Latin-1) or a NUL byte.", "Messages are sent to wall, syslog, e-mail and desktop notices as UTF-8.", "Save the file as UTF-8; remove NUL bytes.", 'E282-invalid-utf8'),
 290: ("The file holds no declaration at all (empty, or comments only). UPSmon.py: message 290.", "", "Write a plan, e.g. start from `examples/standard.conf`.", 'E290-empty'),
 300: ("A syntax error: a token where the grammar expects another. The message names the token found and, when there are few, the tokens expected. Several independent syntax errors are reported in one run; after an error the parser skips to the next declaration keyword. UPSmon.py: Error 300 (one per run in practice).", "A semantic check needs a syntactically correct file, so only syntax errors are reported until they are fixed.", "Fix the declaration at the caret; the EBNF is in [language.md](language.md).", 'E300-syntax'),
 301: ("More errors than `--max-errors` (default 100): the rest are not reported.", "", "Fix the first errors and run again, or raise `--max-errors` (0: no limit).", 'E301-max-errors'),
 302: ("`POLLFREQ`, `POLLFREQALERT` or `SMTPSERVER` after the first group declaration. They are global settings; UPSmon.py rejects them there too (Error 300).", "", "Move the setting to the top of the file, before the first `GROUP`.", 'E302-intro-late'),
 305: ("`LET battery.charge.low.N = ...` before any `MONITOR`: the threshold belongs to the UPS of the most recent MONITOR, and there is none. UPSmon.py: Error 305.", "", "Move the LET after the MONITOR of its UPS.", 'E305-low-before-monitor'),
 307: ("The value of `battery.charge.low.N` is not one quoted whole number from 0 to 100. UPSmon.py: Error 307 (without the range check).", "", 'Write e.g. `LET battery.charge.low.1 = "75"`.', 'E307-low-value'),
 308: ("The LB1, LB2, LB3 thresholds of a UPS do not decrease (LB1 > LB2 > LB3), counting the defaults 50, 25, 12 for levels not set.", "LB1, LB2 and LB3 are meant as successively lower charge levels; out of order, the events come in an unexpected order.", "Set the three levels in decreasing order.", 'W308-low-order'),
 310: ("A substitution `%(k)s` with a key other than `u` (UPS), `c` (charge), `e` (event), `b` (user@host), `h` (host name). UPSmon.py: Error 310/320/360, or a crash inside LET and EMAIL.", "Found at check time, not when the message is sent during a power failure.", "Use one of the five keys; write `%%` for a literal percent sign.", 'E310-subst-key'),
 311: ("A `%` that starts no substitution (e.g. `50%`), or `%(` without `)`. UPSmon.py crashed with a Python traceback on the first in action texts.", "", "Write `%%` for a percent sign.", 'E311-subst-bare'),
 312: ("A substitution with a conversion other than plain `s` (`%(c)d`, `%(c)03s`). UPSmon.py's check crashed on these (TypeError).", "", "Write `%(c)s`.", 'E312-subst-conv'),
 330: ("A number with more than one decimal point (`1.2.3`) or none of its digits. UPSmon.py: Error 330, then a crash.", "", "Write digits with at most one decimal point.", 'E330-bad-number'),
 331: ("A fractional value where a whole number is needed: PORT, POWERVAL, MINSUPPLIES. (`5.0` is accepted.) UPSmon.py truncated silently.", "", "Write a whole number.", 'E331-not-integer'),
 332: ("A value outside its range: PORT 1-65535, POWERVAL and MINSUPPLIES 0-1000000.", "", "Use a value in the range given by the message.", 'E332-range'),
 340: ("The SMTPSERVER port is not a whole number from 1 to 65535. UPSmon.py: Error 340.", "", "Use 465 (implicit TLS) or 587 (STARTTLS).", 'E340-smtp-port'),
 350: ("A HOST value that is neither an IPv4 address, an IPv6 address (bare, or in brackets, optionally with a `%zone` of letters, digits, `_`, `.` and `-`: it shows in `%(u)s`), nor a host name (letters, digits, `-` and `_` in dot-separated labels).", "UPSmon.py could not take addresses at all; upsplan takes them, and so checks them.", "Correct the address or name.", 'E350-bad-host'),
 370: ("POLLFREQ or POLLFREQALERT is 0 (or negative). UPSmon.py: Error 370, and a crash for POLLFREQALERT.", "", "Poll every few seconds, e.g. `POLLFREQ 5 POLLFREQALERT 5`.", 'E370-pollfreq'),
 220: ("MONITOR or WHEN before any GROUP: they belong to the current group and there is none. UPSmon.py meant to report Error 220 but crashed (KeyError).", "", "Add `GROUP name` with its HOST, PORT and CERTFILE before them.", 'E220-no-group'),
 221: ("HOST, PORT, CERTFILE or MINSUPPLIES before any GROUP. UPSmon.py accepts them (it stores them in a group of no name), but no UPS can belong to that group, so they have no effect.", "The setting was probably meant for the first group.", "Move it after the `GROUP` it belongs to.", 'W221-setting-before-group'),
 400: ("The same GROUP name twice. UPSmon.py: Error 400.", "", "Give each group its own name; a group may hold several MONITOR lines.", 'E400-dup-group'),
 410: ("The same UPS monitored twice in one group. UPSmon.py: Error 410.", "", "Delete one MONITOR.", 'E410-dup-ups'),
 420: ("TYPE is not `primary`, `secondary` or `observer` (`master` and `slave` are accepted as the old names). UPSmon.py: Error 420 (it did not know `observer`).", "", "Use one of the accepted types.", 'E420-bad-type'),
 430: ("A WHEN names a UPS that is not monitored in the current group. The notes tell the likely cause: a typo (closest name), a MONITOR that comes later in the file, or a UPS of another group. UPSmon.py: Error 430.", "", "Correct the name, move the MONITOR up, or move the rule into the UPS's group.", 'E430-undeclared-ups'),
 440: ("`REPORTS a->b` is not one of the 42 event pairs. The note lists the valid pairs for the status words used. UPSmon.py: Error 440.", "", "Use a valid pair: `None->X`/`X->None` for a status word X, `OL->OB`, `OB->OL`, `COMM->NOCOMM`, `NOCOMM->COMM`.", 'E440-bad-event'),
 460: ("`IF a->b` is not one of the 42 event pairs. UPSmon.py: Error 460 (and `IF None->LB1` crashed it; it is valid here).", "", "Use a valid pair; `IF a->b` tests that the UPS is now in state b.", 'E460-bad-cond'),
 470: ("DEBUG with a level other than 0, 1 or 2. UPSmon.py: Error 470.", "", "Use 0, 1 or 2.", 'E470-debug-range'),
 480: ("SETFSD names a UPS that is not monitored in the current group. UPSmon.py: Error 480 (and it checked the name letter by letter).", "", "Name a monitored UPS.", 'E480-setfsd-ups'),
 510: ("A SYSLOG text starts with `[` but not with one of the priority tags. A text without a tag is logged at info (UPSmon.py rejected it: Error 510).", "", "Use `[emerg]`, `[alert]`, `[crit]`, `[err]`, `[warning]`, `[notice]`, `[info]` or `[debug]`, or no tag.", 'E510-syslog-tag'),
 520: ("A SHUTDOWNCMD text is split into a command and its arguments the way a shell would split them, but no shell runs (UPSmon.py split on blanks and kept quote characters inside the arguments). A quote that is not closed, a trailing backslash, or a text with no word at all cannot become a command.", "", "Close the quote (inside double quotes a backslash escapes `\"`, `\\`, `$` and a backquote; single quotes keep everything), and give a command. For shell syntax (pipes, `;`, variables) use SHELLCMD.", 'E520-shutdown-argv'),
 570: ("Two UPS are polled on the same upsd with different CERTFILEs (each UPS is polled on its group's HOST and PORT as they were at its MONITOR; addresses compare as addresses, so `::1` and `[0:0::1]` are one upsd, and names without regard to case). UPSmon.py: Error 570.", "One upsd presents one certificate.", "Use the same CERTFILE in the groups of both UPS.", 'E570-cert-clash'),
 571: ("Two UPS are polled on the same upsd (host and port, compared as for E570) but their groups reach it differently: one with STARTTLS on upsd's port (`TLS STARTTLS`, the default), the other with TLS from the first byte (`TLS DIRECT`, for a front end such as stunnel).", "A port speaks one of the two.", "Give both groups the same TLS setting; a stunnel front end listens on its own port.", 'E571-tls-clash'),
 580: ("A group has no CERTFILE. upsplan talks to upsd only over TLS and verifies its certificate against the CERTFILE. UPSmon.py crashed on this (KeyError).", "", 'Add `CERTFILE "/etc/nut/....pem"`.', 'E580-no-certfile'),
 585: ("`TLS` is followed by something other than `STARTTLS` (upsd's own TLS: the `STARTTLS` command on upsd's port, the default) or `DIRECT` (TLS from the first byte, as a stunnel front end speaks it). Case does not matter. There is no plain-text mode: upsplan never sends a password in clear.", "", "Write `TLS STARTTLS` or `TLS DIRECT`.", 'E585-tls-mode'),
 586: ("A group has a CLIENTKEY but no CLIENTCERT. The client certificate (for servers that ask for one, such as a stunnel front end with `verify = 2`) is CLIENTCERT; CLIENTKEY names its private key when it is not in the same file.", "", "Add `CLIENTCERT \"/etc/nut/client.pem\"`, or drop CLIENTKEY.", 'E586-key-no-cert'),
 590: ("One event runs, at once, every action of its WHEN clauses: all clauses of one UPS for one REPORTS pair, or all TIMEOUT clauses of one timer, whatever UPS they name. What one run emits is bounded, so that the daemon's buffers stay small and sized at start: at most 65,536 actions and 64 MiB of text, each `%(k)s` substitution counted at the longest value it can take in the plan (a display name, an event name, or 256 bytes for `%(h)s` and `%(b)s`). Only plans built by a generator reach this.", "", "Split the texts, or move some actions to another event or timer.", 'E590-run-limit'),
 591: ("A text is longer than 65,536 bytes (64 KiB) once its messages are substituted: a LET message, the text of an action (its parts joined), an EMAIL field or MESSAGE, or a value such as a PASSWORD or a CERTFILE. The length counts the text as written, a `%(k)s` as its 5 bytes. It is checked part by part while the text is being built, and the part that crosses the bound is marked; a message over the bound is reported once, at its LET, and the texts built from it are not reported again. The longest text of a real plan, a mail body of many lines, is a few kB.", "Messages substitute into each other, so each level can double a text: thirty lines of `LET mN = mN-1 mN-1` would make 2^30 copies of the first message, gigabytes from a plan of 700 bytes. Without this bound `upsplan check` ran out of memory, and so did the daemon's root process reloading such a plan on SIGHUP, which stopped the daemon.", "Shorten the text, or split it over several actions (each action has its own 64 KiB).", 'E591-text-limit'),
 592: ("The plan is larger than the compiler handles, in one of two ways. (1) All the texts the compiler builds for the plan add up to more than 32 MiB: every text made of several parts, every quoted text and every value counts in full, with its messages substituted; an action whose text is one message alone shares that message's text and costs nothing, except a SHUTDOWNCMD or SYSLOG, whose text is read through again. (2) The compiled plan would take more than 256 MiB (its image as `upsplan compile` writes it, counting the code still to be linked and the tables still to be written), checked after each declaration; an image file larger than that is refused before it is read. Checking stops at the declaration that crosses either bound: the rest of the plan is not checked. The benchmark plan of 10,000 UPS builds about 1 MB of text and compiles to 19 MB.", "Each text is bounded (E591), but a small plan could still use a 64 KiB message in thousands of texts; these bounds keep the time and memory of `upsplan check`, `compile`, `simulate` and a reload bounded whatever the plan.", "Use long messages alone (`WALL msg`, not `WALL msg \"!\"`), or split the plan between hosts.", 'E592-plan-limit'),
 700: ("A line of a scenario file (`upsplan simulate`) is not understood: an unknown directive, a wrong number of arguments, a quoted value not closed on its line, a time without a directive, or a second `end`.", "", "Write each line as `[at TIME | +TIME] DIRECTIVE ARGUMENTS` with one of the directives of docs/simulate.md: `set UPS VARIABLE VALUE`, `lose UPS`, `restore UPS`, `lose-upsd HOST[:PORT]`, `restore-upsd HOST[:PORT]`, `restart-upsd HOST[:PORT]`, `dummy UPS FILE`, `end`.", 'E700-scenario-syntax'),
 701: ("A scenario names a UPS that the plan does not monitor, or an upsd (host and port) on which the plan polls no UPS. A UPS name monitored in two groups must be written `GROUP:NAME`.", "", "Use the names of the plan's MONITOR lines and the HOST and PORT of its groups (port 3493 when left out).", 'E701-scenario-ups'),
 702: ("A scenario line's time is before the previous line's. Lines are applied in file order, so time only goes forward.", "", "Put the lines in time order; `+TIME` counts from the previous line's time.", 'E702-scenario-time'),
 703: ("A time is not a duration (`90`, `1.5`, `2m`, `1h30m`, `45s`; in `1m30` the last part lacks its unit), a variable name is not a NUT variable name, or `battery.charge` (0-100) or `battery.runtime` is not a number, on a `set` line or in a dummy-ups file.", "", "Fix the value; quote values with blanks (`\"OB DISCHRG\"`).", 'E703-scenario-value'),
 704: ("A dummy-ups file named by `dummy UPS FILE` cannot be used: it cannot be read, a line is neither `variable: value` nor `TIMER seconds`, or it is a `.seq` file, which loops forever as dummy-ups loops it, in a scenario without `end`.", "", "Fix the file (the upsc format dummy-ups reads), or add an `end` line to the scenario.", 'E704-scenario-dummy'),
 800: ("A comparison in an IF condition can never be true (or, for `!=`, is always true) because of the types of its two sides: `<`, `<=`, `>`, `>=` with a quoted text (they compare numbers); a number compared with a variable that upsd always sends as words (`ups.status`, `ups.alarm`, `ups.beeper.status`, `device.model`, ...); or a variable upsd always sends as a number (`battery.runtime`, `battery.charge`, `ups.load`, `input.voltage`, ...) compared with a quoted text that is no number. The compiler knows the type of the usual NUT variables (the table `engine/nutvars.def`); any other variable may be compared either way.", "A condition that cannot be true is a rule that never fires: in an outage, the shutdown it was written for does not happen.", "Compare numbers without quotes (`battery.runtime < 300`), texts with `==` or `!=` and quotes (`ups.beeper.status == \"enabled\"`), or match words with a pattern (`ups.status =~ \"\\bOB\\b\"`).", 'E800-cond-type'),
 801: ("The pattern of `=~` is not a valid PCRE2 regular expression. The caret points at the byte of the quoted text where PCRE2 found the problem, whatever quote style holds it.", "Patterns are compiled once, when the plan is checked and loaded; a pattern that does not compile would make its rule fail in an outage.", "Fix the pattern (Perl syntax): close parentheses and brackets, escape a literal `(`, `[`, `|` or `.` with a backslash.", 'E801-bad-regex'),
 802: ("A condition would need more than 16 values at once on the VM's stack. Only parentheses nested on the right of `AND` and `OR` make a condition that deep.", "The VM's stack is a fixed array (no allocation while a rule runs), and the verifier checks every handler against it.", "Write `(a AND b) AND c` rather than `a AND (b AND c)`, or split the rule.", 'E802-cond-depth'),
 803: ("The left side of a comparison or a match is not a NUT variable name: NUT names are made of letters, digits, `.`, `_` and `-`, while a bare word of the language may also hold `%` and `+`.", "upsd has no variable by such a name, so the condition would always be false.", "Write the variable's name as `upsc` lists it (`battery.runtime`).", 'E803-bad-var'),
 990: ("The POWERVAL values of a group's UPS add up to less than its MINSUPPLIES: even with every UPS on line the group would lack power. UPSmon.py: Fatal 990.", "", "Lower MINSUPPLIES, or add the missing MONITOR lines.", 'E990-powerval-sum'),
 452: ("A bare name is used before the LET that defines it. As in UPSmon.py, names resolve in file order, so the literal name is used here.", "Almost always a mistake: the message you meant is not sent.", "Move the LET above its first use.", 'W452-late-msg'),
 600: ("A bare name in a text list is not a defined message, so it is used as literal text (UPSmon.py did this silently: the documentation's own `WALL MSG-shutdown` walled the words MSG-shutdown). The note suggests the closest message name.", "", "Correct the name, define it with LET, or quote the text.", 'W600-undef-name'),
 601: ("A quoted text equals the name of a message, and is replaced by that message (UPSmon.py compatibility: quotes do not protect).", "", "Write the name without quotes to use the message, or change the text.", 'W601-quoted-msg'),
 602: ("A timer is started but no `WHEN ... TIMEOUT timer` clause acts on its expiry.", "A STARTTIMER whose expiry does nothing is dead code, usually a misspelt timer name.", "Add the TIMEOUT clause, or correct the name.", 'W602-no-timeout'),
 603: ("A `WHEN ... TIMEOUT timer` clause names a timer no STARTTIMER starts (the built-in `start` excepted): the clause never runs.", "", "Correct the name, or start the timer.", 'W603-never-started'),
 604: ("CANCELTIMER names a timer no STARTTIMER starts. UPSmon.py: warning 830 at run time.", "", "Correct the name.", 'W604-cancel-unknown'),
 606: ("A STARTTIMER in a TIMEOUT clause asks for less than 0.1 s. A timer started when a timer expires runs at least 0.1 s (the trace of `upsplan simulate` shows the time used), so that timers restarting themselves or each other cannot spin without time passing. STARTTIMER in a REPORTS clause keeps any time, 0 included: it expires at the next turn of the event loop.", "", "Write 0.1 or more (UPSmon.py's heartbeat plans forward a timer with 0.5 s, which is kept); for an action right away, put it in the TIMEOUT clause itself.", 'W606-short-rearm'),
 804: ("`IF RUNNING timer` names a timer that no STARTTIMER starts (the built-in `start` excepted): the condition is never true.", "Usually a misspelt timer name.", "Correct the name, or start the timer.", 'W804-running-never'),
 605: ("A LET redefines a message (or the built-in `hostname`): later uses get the new text, earlier ones keep the old, as in UPSmon.py.", "", "Use distinct names.", 'W605-dup-let'),
 610: ("The plan holds passwords (MONITOR or SMTPSERVER) and every user can read the file.", "Any local user could log into upsd as this monitor and, as a primary, set FSD.", "`chmod 640 FILE` and give the file to root and the daemon's group (NUT's layout for upsmon.conf). `-Wno-file-mode` turns the check off.", 'W610-file-mode'),
 611: ("A group's CERTFILE cannot be read: it does not exist, it is not a regular file (a directory, a FIFO), or the user that would read it may not: a mode that keeps it out, or a directory of its path it may not search. The message says which, with the file's mode and owner. Only `upsplan check` makes this check, and it judges as the daemon will read: as root, as the monitoring user (`--user`, default `nut` as for `upsplan run`; root itself when there is no user `nut`), for `upsplan run` started as root reads CERTFILE after it dropped to that user; started by another user, as that user. A relative path is taken from the current directory, as `run` takes it from the directory it starts in. Each path is judged once, at the first group that names it (the first 256 distinct paths of a plan).", "`upsplan run` cannot load the CERTFILE and stops at start (or keeps the old plan on a reload): the UPS are not monitored. `upsplan run` says the same in its log.", "Create the file (`upsplan tls-setup` writes a CA file for a upsd it sets up) or name the CA certificate (PEM) that upsd's certificate is signed by; for one the monitoring user cannot read, `chgrp nut FILE && chmod 0640 FILE` (or `chmod 0644 FILE`: a CA certificate is no secret), and let it search the directories of the path. Checking a plan away from the host that runs it (a CI job, a workstation), `-Wno-W611` turns the check off.", 'W611-certfile-unreadable'),
 935: ("No event of the group leads to a SHUTDOWNCMD, neither directly nor through a chain of timers (STARTTIMER then the TIMEOUT clauses of that timer). UPSmon.py's warning 935 only looked for the keyword. Groups with MINSUPPLIES 0 are exempt.", "The plan never shuts the machine down.", "Add a shutdown path, e.g. None->LB, then a final-delay timer, then SHUTDOWNCMD.", 'W935-no-shutdown'),
 940: ("No `WHEN ... REPORTS None->LB` rule in the group (UPSmon.py: warning 940). Groups with MINSUPPLIES 0 are exempt.", "Low battery is the last warning before the UPS cuts power.", "Add a None->LB rule that shuts down.", 'W940-no-lb-rule'),
 950: ("No `WHEN ... REPORTS COMM->NOCOMM` rule in the group (UPSmon.py: warning 950). Groups with MINSUPPLIES 0 are exempt.", "Losing upsd while on battery means flying blind.", "Add a COMM->NOCOMM rule, e.g. shut down if the UPS was on battery.", 'W950-no-nocomm-rule'),
 960: ("A group has a secondary UPS but no `WHEN ... REPORTS None->FSD` rule (UPSmon.py's warning 960 compared against a string that never occurs and fired for every group).", "In NUT's protocol the primary sets FSD and the secondaries must shut down first.", "Add a None->FSD rule that shuts down.", 'W960-no-fsd-rule'),
}
out = []
out.append('''# upsplan diagnostics

Every problem `upsplan check` finds has a stable code: `E` for errors, `W`
for warnings. The numbers follow UPSmon.py's message numbers where
UPSmon.py had a message for the same problem (E430 is UPSmon.py's Error
430), so administrators coming from UPSmon.py recognise them. Codes are
never renumbered. Each example below is a real run (the `tests/diag/`
golden test named under it). This page is written by
`docs/gen-diagnostics.py` from `base/diag-codes.def` and those tests.

## Output

    FILE:LINE:COL: error: MESSAGE [CODE]
     LINE | the source line
          |     ^~~~~
    FILE:LINE:COL: note: MORE

* Lines and columns start at 1; columns count characters (UTF-8 code
  points), with tab stops every 8 columns. The caret marks the start of the
  problem and the tildes its extent. Long lines are shown as a window
  around the problem, control bytes and invalid UTF-8 as `?`.
* `note:` lines give a hint or a second location (a previous declaration,
  a later MONITOR).
* Diagnostics are sorted by position. Syntax errors come first: the checks
  of meaning (codes from E220 on) run only once the file parses.
* `--format=json` prints one JSON array per FILE on standard output instead:
  each record has `file`, `line`, `column`, `end_line`, `end_column` (just
  past the last character), `severity` (`error` or `warning`), `code`,
  `message` and `notes` (each with `file`, `line`, `column` and `message`;
  the location is `null` for a hint without one). File-level records (E110,
  E290, W610) point at line 1, column 1.

Exit status: 0 when no error was found (warnings allowed), 1 when there are
errors (with `-Werror`, also warnings), 2 on a usage error or a FILE that
cannot be read (E100). `-Werror` reports warnings as errors (the code keeps
its W); `-Wno-CODE` (e.g. `-Wno-W600`) silences one warning; errors cannot
be silenced. `--max-errors=N` stops after N errors (E301; default 100, 0
for no limit).

Some warnings are about what changes the outcome of an outage: a timer
name with a typo (W602, W603, W604), a group with no way to a
SHUTDOWNCMD (W935) or that ignores a low battery, a lost upsd or an FSD
(W940, W950, W960), a setting that applies to nothing (W221). A plan
with one of these runs, but not as
its author meant, and nobody finds out before the power fails: `upsplan
run` refuses such a plan at start and at a reload (SIGHUP), and `upsplan
compile` writes no image of it, reporting each as an error (the code
keeps its W) with the note `this warning changes what happens in an
outage, so the plan is refused: fix it, or give --allow-warnings to
accept it`. `--allow-warnings` runs or compiles it anyway; better,
`-Wno-CODE` (which `run` and `compile` take as `check` does) accepts the
one warning you have judged harmless, and no other. After an upgrade
that added such a check, a plan that ran before may be refused at the
next start: run `upsplan check -Werror` on it before you upgrade. Each entry
below says *warning, refused by run* for these. `upsplan check -Werror`
is the check to put before every reload: it refuses every warning.

## Codes
''')
sev_word = {'ERROR': 'error', 'WARNING': 'warning', 'HAZARD': 'warning, refused by run'}
for ident, num, sev, meaning in sorted(codes, key=lambda c: (c[2] != 'ERROR', c[1])):
    name = ('E' if sev == 'ERROR' else 'W') + '%03d' % num
    what, why, fix, test = D[num]
    out.append(f'### {name} — {meaning}\n')
    out.append(f'*{sev_word[sev]}*. {what}\n')
    if why:
        out.append(f'Why it matters: {why}\n')
    src_ext = 'scn' if os.path.exists(f'{root}/tests/diag/{test}.scn') else 'conf'
    conf = open(f'{root}/tests/diag/{test}.{src_ext}', 'rb').read().decode('utf-8', 'replace')
    err = open(f'{root}/tests/diag/{test}.err').read()
    args = ''
    if os.path.exists(f'{root}/tests/diag/{test}.args'):
        args = open(f'{root}/tests/diag/{test}.args').read().strip() + ' '
    lines = conf.splitlines()
    # show the lines the diagnostics point at
    nums = sorted(set(int(m) for m in re.findall(r'^%s\.%s:(\d+):' % (re.escape(test), src_ext), err, re.M)))
    shown = [f'{n:4} | {lines[n-1]}' for n in nums if 0 < n <= len(lines)]
    if shown:
        out.append('Example (lines of `tests/diag/%s.%s`):\n' % (test, src_ext))
        out.append('```\n' + '\n'.join(shown).replace('\x00', '?').replace('\ufffd', '?') + '\n```\n')
    mode = ''
    if os.path.exists(f'{root}/tests/diag/{test}.mode'):
        mode = f' (file mode {open(f"{root}/tests/diag/{test}.mode").read().strip()})'
    if src_ext == 'scn':
        out.append(f'`upsplan simulate {args}{test}.conf {test}.scn` prints:\n')
    else:
        out.append(f'`upsplan check {args}{test}.conf`{mode} prints:\n')
    out.append('```\n' + err.rstrip('\n') + '\n```\n')
    out.append(f'Fix: {fix}\n')
open(f'{root}/docs/diagnostics.md', 'w').write('\n'.join(out))
print(len(codes), 'codes')
