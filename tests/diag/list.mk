## tests/diag/list.mk - the diagnostic golden tests: one DIAG_TESTS line per tests/diag/NAME.conf (NAME.err beside it).
## Optional NAME.args and NAME.mode files go to DIAG_EXTRA so that they are
## distributed.  tests/diag-list.sh checks that this list matches the files.
DIAG_TESTS =
DIAG_EXTRA =
DIAG_TESTS += tests/diag/E400-dup-group.conf
DIAG_TESTS += tests/diag/W610-file-mode.conf
DIAG_EXTRA += tests/diag/W610-file-mode.mode
