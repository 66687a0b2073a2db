## SPDX-License-Identifier: GPL-2.0-or-later
## systemd/local.mk - upsplan.service, made from systemd/upsplan.service.in with the configured paths and installed in the systemd unit directory (included by Makefile.am).
##
## The directory: --with-systemdsystemunitdir=DIR, by default systemd's own
## (pkg-config --variable=systemdsystemunitdir systemd); "no" when there is
## none: the unit is made (tests/systemd-unit.sh checks it) but not installed.
## make distcheck installs it under its own prefix.

systemd/upsplan.service: systemd/upsplan.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/systemd/upsplan.service.in >$@-t && mv $@-t $@

if HAVE_SYSTEMDSYSTEMUNITDIR
systemdsystemunit_DATA = systemd/upsplan.service
else
noinst_DATA = systemd/upsplan.service
endif

EXTRA_DIST += systemd/upsplan.service.in
CLEANFILES += systemd/upsplan.service
DISTCHECK_CONFIGURE_FLAGS = --with-systemdsystemunitdir='$${prefix}/lib/systemd/system'
