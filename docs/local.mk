## SPDX-License-Identifier: GPL-2.0-or-later
## docs/local.mk - the documentation installed in $(docdir): README.md, and docs/*.md in $(docdir)/docs, where the README's links find them (the examples: examples/local.mk).
dist_doc_DATA += README.md

docsdir = $(docdir)/docs
dist_docs_DATA = \
	docs/alertmanager.md \
	docs/daemon.md \
	docs/diagnostics.md \
	docs/engine.md \
	docs/generate.md \
	docs/install.md \
	docs/language.md \
	docs/migrating.md \
	docs/nut-policy.md \
	docs/observability.md \
	docs/simulate.md \
	docs/status.md
