/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-webhook.c - TAP unit tests of runtime/obs/webhook: captured Alertmanager bodies, endsAt in the future, past and zero, RFC 3339 times, malformed bodies, limits, the bearer check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/obs/webhook.h"
#include "tests/unit/tap.h"

/* Alertmanager 0.25's notifications, captured (firing, then resolved) */
static const char firing_body[] =
	"{\"receiver\":\"upsplan-hook\",\"status\":\"firing\","
	"\"alerts\":[{\"status\":\"firing\","
	"\"labels\":{\"alertname\":\"UpsOnBattery\",\"instance\":\"host1\",\"severity\":\"critical\",\"ups\":\"ups1\"},"
	"\"annotations\":{\"runtime_left\":\"1830\",\"summary\":\"ups1 is on battery\"},"
	"\"startsAt\":\"2026-12-02T08:09:08Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
	"\"generatorURL\":\"http://host1:9199/upsplan\",\"fingerprint\":\"19e1c8bac43415c3\"}],"
	"\"groupLabels\":{\"alertname\":\"UpsOnBattery\",\"ups\":\"ups1\"},"
	"\"commonLabels\":{\"alertname\":\"UpsOnBattery\",\"instance\":\"host1\",\"severity\":\"critical\",\"ups\":\"ups1\"},"
	"\"commonAnnotations\":{\"runtime_left\":\"1830\",\"summary\":\"ups1 is on battery\"},"
	"\"externalURL\":\"http://vm:33851\",\"version\":\"4\","
	"\"groupKey\":\"{}:{alertname=\\\"UpsOnBattery\\\", ups=\\\"ups1\\\"}\",\"truncatedAlerts\":0}";

static double t_of(const char *s)
{
	double t = -1;

	return wh_time(s, &t) == 0 ? t : -1e18;
}

/* BODY with the first "FROM" replaced by "TO" */
static char *subst(const char *body, const char *from, const char *to)
{
	const char *p = strstr(body, from);
	char *out = malloc(strlen(body) + strlen(to) + 1);

	if (p == NULL || out == NULL)
		abort();
	sprintf(out, "%.*s%s%s", (int)(p - body), body, to, p + strlen(from));
	return out;
}

/* 0 or -1 of wh_parse; the error into ERR */
static int parse(const char *body, double now, size_t max, struct wh_batch *b, char *err)
{
	return wh_parse(body, strlen(body), now, max, b, err, 300);
}

static const char *label(const struct wh_alert *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].name, name) == 0)
			return a->labels[i].value;
	return NULL;
}

static void test_times(void)
{
	double base = t_of("2026-12-02T08:09:17Z");

	is_int((long long)base, 1796198957LL, "RFC 3339 Z: the epoch seconds");
	ok(t_of("0001-01-01T00:00:00Z") == WH_ZERO_TIME, "the zero time of Go");
	ok(t_of("2026-12-02T08:09:17.25Z") == base + 0.25, "a fraction");
	ok(t_of("2026-12-02T08:09:17.123456789Z") - base > 0.1234 &&
	   t_of("2026-12-02T08:09:17.123456789Z") - base < 0.1235, "nanoseconds (Go's own format)");
	ok(t_of("2026-12-02T09:39:17+01:30") == base, "a positive offset");
	ok(t_of("2026-12-02T03:09:17.5-05:00") == base + 0.5, "a negative offset with a fraction");
	ok(t_of("2026-12-02t08:09:17z") == base, "t and z in lower case");
	ok(t_of("2024-02-29T00:00:00Z") > 0, "a leap day");
	ok(t_of("1969-12-31T23:59:59Z") == -1, "before the epoch");
	ok(t_of("2023-02-29T00:00:00Z") == -1e18, "no leap day in 2023");
	ok(t_of("2026-13-01T00:00:00Z") == -1e18, "month 13");
	ok(t_of("2026-12-02 08:09:17Z") == -1e18, "a space for T");
	ok(t_of("2026-12-02T08:09:17") == -1e18, "no zone");
	ok(t_of("2026-12-02T08:09:17+01") == -1e18, "a short offset");
	ok(t_of("2026-12-02T08:09:17.Z") == -1e18, "a dot without digits");
	ok(t_of("2026-12-02T08:09:17Zjunk") == -1e18, "text after the zone");
	ok(t_of("2026-12-02T24:00:00Z") == -1e18, "hour 24");
	ok(t_of("") == -1e18 && t_of("now") == -1e18, "empty, a word");
}

static void test_bodies(void)
{
	double ends = t_of("2026-12-02T08:09:17Z");
	struct wh_batch b;
	char err[300], *body;

	ok(parse(firing_body, ends, 0, &b, err) == 0 && b.n == 1, "the captured firing body: one alert");
	is_str(b.alerts[0].alertname, "UpsOnBattery", "its alertname");
	ok(b.alerts[0].firing, "endsAt zero: firing");
	is_int((long long)b.alerts[0].nlabels, 4, "its labels");
	is_str(label(&b.alerts[0], "ups"), "ups1", "label ups");
	is_str(label(&b.alerts[0], "severity"), "critical", "label severity");
	wh_batch_free(&b);

	body = subst(firing_body, "0001-01-01T00:00:00Z", "2026-12-02T08:09:17Z");
	ok(parse(body, ends + 10, 0, &b, err) == 0 && b.n == 1 && !b.alerts[0].firing,
	   "the captured resolved body: endsAt in the past, resolved");
	wh_batch_free(&b);
	ok(parse(body, ends, 0, &b, err) == 0 && !b.alerts[0].firing, "endsAt now: resolved");
	wh_batch_free(&b);
	ok(parse(body, ends - 10, 0, &b, err) == 0 && b.alerts[0].firing, "endsAt in the future: firing");
	wh_batch_free(&b);
	free(body);

	ok(parse("{\"version\":\"4\",\"alerts\":[]}", 0, 0, &b, err) == 0 && b.n == 0, "no alerts: fine");
	wh_batch_free(&b);
	ok(parse("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"},\"endsAt\":\"0001-01-01T00:00:00Z\"},"
		 "{\"labels\":{\"alertname\":\"B\",\"ups\":\"u\"},\"endsAt\":\"2000-01-01T00:00:00Z\"}]}",
		 ends, 0, &b, err) == 0 && b.n == 2 && b.alerts[0].firing && !b.alerts[1].firing &&
	   strcmp(b.alerts[1].alertname, "B") == 0 && b.alerts[1].nlabels == 2, "two alerts, in order");
	wh_batch_free(&b);
	ok(parse("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"},\"endsAt\":\"0001-01-01T00:00:00Z\"},"
		 "{\"labels\":{\"alertname\":\"B\"},\"endsAt\":\"0001-01-01T00:00:00Z\"},"
		 "{\"labels\":{\"alertname\":\"C\"},\"endsAt\":\"0001-01-01T00:00:00Z\"}]}",
		 ends, 2, &b, err) == -1 && strstr(err, "3 alerts: at most 2") != NULL, "more alerts than the cap: %s", err);

	ok(parse("{\"version\":\"4\",", 0, 0, &b, err) == -1 && strstr(err, "not JSON") != NULL, "malformed JSON: %s", err);
	ok(parse("[1,2]", 0, 0, &b, err) == -1 && strstr(err, "version") != NULL, "an array: %s", err);
	ok(parse("\"4\"", 0, 0, &b, err) == -1, "a bare string: %s", err);
	body = subst(firing_body, "\"version\":\"4\"", "\"version\":\"3\"");
	ok(parse(body, 0, 0, &b, err) == -1 && strstr(err, "version \"3\"") != NULL, "version 3: %s", err);
	free(body);
	body = subst(firing_body, "\"version\":\"4\"", "\"version\":4");
	ok(parse(body, 0, 0, &b, err) == -1, "version a number: %s", err);
	free(body);
	body = subst(firing_body, "\"endsAt\":\"0001-01-01T00:00:00Z\",", "");
	ok(parse(body, 0, 0, &b, err) == -1 && strstr(err, "endsAt") != NULL, "no endsAt: %s", err);
	free(body);
	body = subst(firing_body, "\"endsAt\":\"0001-01-01T00:00:00Z\"", "\"endsAt\":\"yesterday\"");
	ok(parse(body, 0, 0, &b, err) == -1 && strstr(err, "RFC 3339") != NULL, "a bad endsAt: %s", err);
	free(body);
	body = subst(firing_body, "\"alertname\":\"UpsOnBattery\",\"instance\"", "\"instance\"");
	ok(parse(body, 0, 0, &b, err) == -1 && strstr(err, "alertname") != NULL, "no alertname: %s", err);
	free(body);
	body = subst(firing_body, "\"severity\":\"critical\"", "\"severity\":5");
	ok(parse(body, 0, 0, &b, err) == -1 && strstr(err, "severity") != NULL, "a label not a string: %s", err);
	free(body);
	body = subst(firing_body, "\"alerts\":[", "\"alerts\":{\"x\":[");
	ok(parse(body, 0, 0, &b, err) == -1, "alerts not an array: %s", err);
	free(body);
	ok(parse("{\"version\":\"4\",\"version\":\"4\",\"alerts\":[]}", 0, 0, &b, err) == -1, "a duplicate key: %s", err);
	ok(wh_parse("{\"version\":\"4\"\0}", 16, 0, 0, &b, err, 300) == -1, "a NUL byte: %s", err);
	ok(parse("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"alertname\":\"\\u0000\"},\"endsAt\":\"0001-01-01T00:00:00Z\"}]}",
		 0, 0, &b, err) == -1, "\\u0000 in a string: %s", err);
	{
		/* 100,000 nested arrays: jansson's depth limit, no stack overflow */
		size_t n = 100000, i;
		char *deep = malloc(2 * n + 1);

		for (i = 0; i < n; i++) {
			deep[i] = '[';
			deep[n + i] = ']';
		}
		deep[2 * n] = '\0';
		ok(parse(deep, 0, 0, &b, err) == -1, "deep nesting: %s", err);
		free(deep);
	}
}

static void test_bearer(void)
{
	struct wh_cfg cfg = { .token = "s3cr3t-T0ken" };
	char err[200];
	struct wh *wh = wh_new(&cfg, err, sizeof(err)), *open;

	ok(wh_bearer_ok(wh, "Bearer s3cr3t-T0ken"), "the token");
	ok(wh_bearer_ok(wh, "bearer   s3cr3t-T0ken  "), "scheme in lower case, spaces");
	ok(!wh_bearer_ok(wh, NULL), "no header");
	ok(!wh_bearer_ok(wh, "Bearer s3cr3t-T0kem"), "a wrong token");
	ok(!wh_bearer_ok(wh, "Bearer s3cr3t"), "a prefix of the token");
	ok(!wh_bearer_ok(wh, "Bearer s3cr3t-T0ken2"), "the token and more");
	ok(!wh_bearer_ok(wh, "Bearer "), "an empty token");
	ok(!wh_bearer_ok(wh, "Basic czNjcjN0LVQwa2Vu"), "basic authentication");
	ok(!wh_bearer_ok(wh, "s3cr3t-T0ken"), "no scheme");
	wh_free(wh);
	cfg.token = "two words";
	ok(wh_new(&cfg, err, sizeof(err)) == NULL && strstr(err, "spaces") != NULL, "a token with a space: %s", err);
	cfg.token = NULL;
	open = wh_new(&cfg, err, sizeof(err));
	ok(open != NULL && wh_bearer_ok(open, NULL), "no token configured: no check");
	wh_free(open);
}

int main(void)
{
	test_times();
	test_bodies();
	test_bearer();
	return done_testing();
}
