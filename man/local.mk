## SPDX-License-Identifier: GPL-2.0-or-later
## man/local.mk - the manual pages upsplan(8), UPSmon.conf(5) and upsplan-scenario(5), made from their scdoc sources and shipped made, so a tarball builds without scdoc (included by Makefile.am).
##
## man/NAME.scd   the source; @PACKAGE_VERSION@ becomes the version
## man/NAME       the page: scdoc's output through man/tidy.awk
## tests/man-lint.sh checks the pages (mandoc, groff) and that upsplan(8)
## names every long option of every command.

SCDOC_PAGES = \
	man/upsplan.8.scd \
	man/UPSmon.conf.5.scd \
	man/upsplan-scenario.5.scd

dist_man_MANS = \
	man/upsplan.8 \
	man/UPSmon.conf.5 \
	man/upsplan-scenario.5

EXTRA_DIST += $(SCDOC_PAGES) man/tidy.awk
MAINTAINERCLEANFILES = $(dist_man_MANS)

# $< is the .scd, found in the source tree; each step writes a file of
# its own, so that a failing scdoc stops the rule
man_scdoc = $(MKDIR_P) man && \
	if test -z '$(SCDOC)'; then \
		echo "$@: scdoc is needed to make the manual page from $<: apt-get install scdoc, then run configure again" >&2; \
		exit 1; \
	fi && \
	sed -e 's|@PACKAGE_VERSION@|$(PACKAGE_VERSION)|g' $< >$@-t1 && \
	$(SCDOC) <$@-t1 >$@-t2 && \
	$(AWK) -f $(srcdir)/man/tidy.awk $@-t2 >$@-t && \
	rm -f $@-t1 $@-t2 && mv $@-t $@

man/upsplan.8: man/upsplan.8.scd man/tidy.awk
	$(AM_V_GEN)$(man_scdoc)
man/UPSmon.conf.5: man/UPSmon.conf.5.scd man/tidy.awk
	$(AM_V_GEN)$(man_scdoc)
man/upsplan-scenario.5: man/upsplan-scenario.5.scd man/tidy.awk
	$(AM_V_GEN)$(man_scdoc)
