## examples/local.mk - shipped example plans; tests/examples.sh and tests/roundtrip.sh check every examples/*.conf.
EXTRA_DIST += \
	examples/heartbeat.conf \
	examples/standard.conf \
	examples/timed.conf \
	examples/two-groups.conf
