## SPDX-License-Identifier: GPL-2.0-or-later
## examples/local.mk - shipped example plans and their outage scenarios, installed in $(docdir)/examples; tests/examples.sh and tests/roundtrip.sh check every examples/*.conf, and each examples/NAME-outage.scn is simulated against tests/run/NAME-outage.trace.
EXAMPLE_SCENARIOS = \
	examples/heartbeat-outage.scn \
	examples/rack-runtime-outage.scn \
	examples/standard-outage.scn \
	examples/timed-outage.scn \
	examples/two-groups-outage.scn

# installed in $(docdir)/examples, as Debian keeps a package's examples
exampledir = $(docdir)/examples
dist_example_DATA = \
	$(EXAMPLE_SCENARIOS) \
	examples/heartbeat.conf \
	examples/heartbeat-outage.seq \
	examples/rack-runtime.conf \
	examples/standard.conf \
	examples/timed.conf \
	examples/timed-outage-heartbeat.seq \
	examples/two-groups.conf
