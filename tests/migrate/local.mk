## SPDX-License-Identifier: GPL-2.0-or-later
## tests/migrate/local.mk - golden tests of upsplan migrate: NAME.upsmon (an upsmon.conf) vs NAME.plan and NAME.err; NAME.sched, NAME.args beside it.
MIGRATE_TESTS =
MIGRATE_TESTS += tests/migrate/E150-upssched-missing.upsmon
MIGRATE_TESTS += tests/migrate/E151-hash-in-quotes.upsmon
MIGRATE_TESTS += tests/migrate/E156-old-monitor.upsmon
MIGRATE_TESTS += tests/migrate/E158-name.upsmon
MIGRATE_TESTS += tests/migrate/E167-too-many.upsmon
MIGRATE_TESTS += tests/migrate/W152-dropped-byte.upsmon
MIGRATE_TESTS += tests/migrate/W153-ignored.upsmon
MIGRATE_TESTS += tests/migrate/W154-extra-words.upsmon
MIGRATE_TESTS += tests/migrate/W155-number.upsmon
MIGRATE_TESTS += tests/migrate/W157-monitor-type.upsmon
MIGRATE_TESTS += tests/migrate/W159-password.upsmon
MIGRATE_TESTS += tests/migrate/W160-no-shutdowncmd.upsmon
MIGRATE_TESTS += tests/migrate/W161-run-options.upsmon
MIGRATE_TESTS += tests/migrate/W162-no-equivalent.upsmon
MIGRATE_TESTS += tests/migrate/W163-shell-text.upsmon
MIGRATE_TESTS += tests/migrate/W164-tls.upsmon
MIGRATE_TESTS += tests/migrate/W165-nss.upsmon
MIGRATE_TESTS += tests/migrate/W166-at-unused.upsmon
MIGRATE_TESTS += tests/migrate/W168-value.upsmon
MIGRATE_TESTS += tests/migrate/W169-upssched.upsmon
MIGRATE_TESTS += tests/migrate/ca-file.upsmon
MIGRATE_TESTS += tests/migrate/debian-upsmon-examples.upsmon
MIGRATE_TESTS += tests/migrate/debian-upsmon-monitor.upsmon
MIGRATE_TESTS += tests/migrate/debian-upsmon.upsmon
MIGRATE_TESTS += tests/migrate/debian-upssched.upsmon
MIGRATE_TESTS += tests/migrate/minsupplies-zero.upsmon
MIGRATE_TESTS += tests/migrate/nutdoc-augeas.upsmon
MIGRATE_TESTS += tests/migrate/nutdoc-config-notes.upsmon
MIGRATE_TESTS += tests/migrate/nutdoc-scheduling.upsmon
MIGRATE_TESTS += tests/migrate/nutdoc-security.upsmon
MIGRATE_TESTS += tests/migrate/nutdoc-upsmon-conf-man.upsmon
MIGRATE_TESTS += tests/migrate/nutdoc-upsmon-man.upsmon
MIGRATE_TESTS += tests/migrate/password-percent.upsmon
MIGRATE_TESTS += tests/migrate/quoted-names.upsmon
MIGRATE_TESTS += tests/migrate/shutdowncmd-shell.upsmon
MIGRATE_TESTS += tests/migrate/shutdownexit-delay.upsmon
MIGRATE_TESTS += tests/migrate/shutdownexit-no.upsmon
MIGRATE_TESTS += tests/migrate/tls-none-settings.upsmon
MIGRATE_TESTS += tests/migrate/upssched-cancel-cmd.upsmon
MIGRATE_EXTRA =
MIGRATE_EXTRA += tests/migrate/E150-upssched-missing.args
MIGRATE_EXTRA += tests/migrate/W161-run-options.args
MIGRATE_EXTRA += tests/migrate/shutdownexit-delay.args
MIGRATE_EXTRA += tests/migrate/shutdownexit-no.args
MIGRATE_EXTRA += tests/migrate/W161-run-options.sched
MIGRATE_EXTRA += tests/migrate/W162-no-equivalent.args
MIGRATE_EXTRA += tests/migrate/W166-at-unused.sched
MIGRATE_EXTRA += tests/migrate/ca-file.args
MIGRATE_EXTRA += tests/migrate/debian-upssched.sched
MIGRATE_EXTRA += tests/migrate/nutdoc-augeas.sched
MIGRATE_EXTRA += tests/migrate/nutdoc-scheduling.sched
MIGRATE_EXTRA += tests/migrate/upssched-cancel-cmd.sched
TEST_EXTENSIONS += .upsmon
UPSMON_LOG_COMPILER = $(SHELL) $(srcdir)/tests/migrate/run-migrate.sh
TESTS += $(MIGRATE_TESTS) tests/migrate/migrate-cli.sh
EXTRA_DIST += $(MIGRATE_TESTS) $(MIGRATE_TESTS:.upsmon=.plan) $(MIGRATE_TESTS:.upsmon=.err) $(MIGRATE_EXTRA) \
	tests/migrate/run-migrate.sh tests/migrate/migrate-cli.sh tests/migrate/README
clean-local: clean-local-migrate
clean-local-migrate:
	rm -rf tests/migrate/*.d tests/migrate/*.got
.PHONY: clean-local-migrate
