## examples/local.mk - shipped examples
