/* email-send.c - test driver of runtime/email.c: sends one mail with email_send() and prints the outcome and the time it took. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "runtime/email.h"

static void usage(void)
{
	fputs("usage: email-send [--implicit-tls] [--user U] [--password P] [--cafile F] [--timeout S]\n"
	      "                  [--now EPOCH] [--body TEXT | --body-file FILE] HOST PORT FROM TO SUBJECT\n"
	      "prints \"sent\" or \"failed: REASON\", then \"elapsed: SECONDS\"; exit 0 sent, 3 failed, 2 usage\n",
	      stderr);
	exit(2);
}

/* The whole of file NAME, NUL-terminated (NULs inside end it early, as for a C string). */
static char *slurp(const char *name)
{
	FILE *f = fopen(name, "rb");
	char *p = NULL, *q;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "email-send: %s: %s\n", name, strerror(errno));
		exit(2);
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			q = realloc(p, cap);
			if (!q) {
				fputs("email-send: out of memory\n", stderr);
				exit(2);
			}
			p = q;
		}
		n = fread(p + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	p[len] = '\0';
	return p;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "implicit-tls", no_argument, NULL, 'i' }, { "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' }, { "cafile", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' }, { "now", required_argument, NULL, 'n' },
		{ "body", required_argument, NULL, 'b' }, { "body-file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct email_server s = { .timeout = 10 };
	char err[512], *body = NULL, *end;
	const char *text = "";
	time_t now = time(NULL);
	double t0, t1;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'i': s.implicit_tls = 1; break;
		case 'u': s.user = optarg; break;
		case 'p': s.password = optarg; break;
		case 'c': s.cafile = optarg; break;
		case 't': s.timeout = strtod(optarg, NULL); break;
		case 'n': now = (time_t)strtoll(optarg, NULL, 10); break;
		case 'b': text = optarg; break;
		case 'f':
			free(body);
			body = slurp(optarg);
			break;
		default: usage();
		}
	}
	if (argc - optind != 5)
		usage();
	s.host = argv[optind];
	s.port = (unsigned)strtoul(argv[optind + 1], &end, 10);
	if (*end)
		usage();
	email_global_init();
	t0 = now_mono();
	r = email_send(&s, argv[optind + 2], argv[optind + 3], argv[optind + 4], body ? body : text, now, err,
		       sizeof err);
	t1 = now_mono();
	if (r == 0)
		printf("sent\n");
	else
		printf("failed: %s\n", err);
	printf("elapsed: %.3f\n", t1 - t0);
	free(body);
	curl_global_cleanup();
	return r == 0 ? 0 : 3;
}
