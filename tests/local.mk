## tests/local.mk - test suite (being written)
