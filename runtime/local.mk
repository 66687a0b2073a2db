## runtime/local.mk - the upsplan command-line program.
upsplan_SOURCES = \
	runtime/main.c
upsplan_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(PCRE2_CFLAGS)
upsplan_LDADD = engine/libengine.a grammar/libgrammar.a engine/libengine.a $(OPENSSL_LIBS) $(PCRE2_LIBS)
