## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/migrate/local.mk - migrate: NUT's upsmon.conf and upssched.conf read as NUT reads them and translated into a plan (libmigrate.a), for upsplan migrate.
noinst_LIBRARIES += runtime/migrate/libmigrate.a
runtime_migrate_libmigrate_a_SOURCES = \
	runtime/migrate/nutconf.c runtime/migrate/nutconf.h \
	runtime/migrate/migrate.c runtime/migrate/migrate.h runtime/migrate/migrate-int.h \
	runtime/migrate/migrate-plan.c runtime/migrate/migrate-check.c
