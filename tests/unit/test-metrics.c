/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-metrics.c - unit tests of the Prometheus exposition writer (escaping, names, histograms, duplicates) and of the listener's address parsing. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runtime/obs/httpd.h"
#include "runtime/obs/metrics.h"
#include "tests/unit/tap.h"

static void test_escaping(void)
{
	struct buf out = BUF_INIT;
	struct mt_writer w;
	struct mt_label l[2] = { { "ups", "a\\b\"c\nd" }, { "model", "caf\xc3\xa9 \xff!" } };

	mt_init(&w, &out);
	is_int(mt_family(&w, "t_gauge", MT_GAUGE, "help with \\ and\nnewline \"quoted\""), 0, "family started");
	is_int(mt_sample(&w, l, 2, 1.5), 0, "sample written");
	is_str(out.p,
	       "# HELP t_gauge help with \\\\ and\\nnewline \"quoted\"\n"
	       "# TYPE t_gauge gauge\n"
	       "t_gauge{ups=\"a\\\\b\\\"c\\nd\",model=\"caf\xc3\xa9 ?!\"} 1.5\n",
	       "backslash, quote and newline escaped in labels; HELP escapes \\ and newline; bad UTF-8 becomes ?");
	is_int(mt_sample(&w, l, 2, 2), -1, "the same series twice is refused");
	is_int(mt_family(&w, "t_gauge", MT_GAUGE, "x"), -1, "the same family twice is refused");
	is_int(mt_sample(&w, NULL, 0, 3), -1, "no sample without a family");
	is_int(mt_family(&w, "9bad", MT_GAUGE, "x"), -1, "a name starting with a digit is refused");
	is_int(mt_family(&w, "t_other", MT_COUNTER, "x"), 0, "another family");
	{
		struct mt_label bad = { "__x", "1" }, bad2 = { "a-b", "1" };
		is_int(mt_sample(&w, &bad, 1, 1), -1, "a label name starting with __ is refused");
		is_int(mt_sample(&w, &bad2, 1, 1), -1, "a label name with - is refused");
	}
	is_int(mt_sample_u(&w, NULL, 0, 18446744073709551615ull), 0, "a counter's whole value");
	ok(strstr(out.p, "\nt_other 18446744073709551615\n") != NULL, "written in full, no exponent");
	is_int((long long)w.refused, 6, "six refusals counted");
	mt_free(&w);
	buf_free(&out);
}

static void test_values(void)
{
	char b[40];

	is_str(mt_fmt_double(b, sizeof(b), 0.1), "0.1", "0.1 short");
	is_str(mt_fmt_double(b, sizeof(b), 1e21), "1e+21", "1e21");
	is_str(mt_fmt_double(b, sizeof(b), NAN), "NaN", "NaN");
	is_str(mt_fmt_double(b, sizeof(b), INFINITY), "+Inf", "+Inf");
	is_str(mt_fmt_double(b, sizeof(b), -INFINITY), "-Inf", "-Inf");
	is_str(mt_fmt_double(b, sizeof(b), 1.0 / 3), "0.33333333333333331", "1/3 reads back the same");
	is_str(mt_name_from(b, sizeof(b), "network_ups_tools_", "battery.charge-low"), "network_ups_tools_battery_charge_low",
	       "a NUT variable's metric name");
	is_str(mt_name_from(b, sizeof(b), "", "1x.y"), "_x_y", "no digit first");
	ok(mt_name_from(b, 8, "network_", "battery") == NULL, "too long for the buffer: NULL");
}

static void test_histogram(void)
{
	static const double bounds[] = { 0.01, 0.1, 1 };
	struct buf out = BUF_INIT;
	struct mt_writer w;
	struct mt_hist h;
	struct mt_label l = { "upsd", "127.0.0.1:3493" };

	mt_hist_init(&h, bounds, 3);
	mt_hist_observe(&h, 0.005);
	mt_hist_observe(&h, 0.01);	/* le is inclusive */
	mt_hist_observe(&h, 0.5);
	mt_hist_observe(&h, 7);
	mt_init(&w, &out);
	mt_family(&w, "t_seconds", MT_HISTOGRAM, "h");
	is_int(mt_histogram(&w, &l, 1, &h), 0, "histogram written");
	is_str(out.p,
	       "# HELP t_seconds h\n# TYPE t_seconds histogram\n"
	       "t_seconds_bucket{upsd=\"127.0.0.1:3493\",le=\"0.01\"} 2\n"
	       "t_seconds_bucket{upsd=\"127.0.0.1:3493\",le=\"0.1\"} 2\n"
	       "t_seconds_bucket{upsd=\"127.0.0.1:3493\",le=\"1\"} 3\n"
	       "t_seconds_bucket{upsd=\"127.0.0.1:3493\",le=\"+Inf\"} 4\n"
	       "t_seconds_sum{upsd=\"127.0.0.1:3493\"} 7.515\n"
	       "t_seconds_count{upsd=\"127.0.0.1:3493\"} 4\n",
	       "cumulative buckets, +Inf equal to _count, _sum and _count");
	is_int(mt_histogram(&w, &l, 1, &h), -1, "the same histogram series twice is refused");
	{
		struct mt_label le = { "le", "1" };
		is_int(mt_histogram(&w, &le, 1, &h), -1, "a label le of a histogram is refused");
	}
	is_int(mt_sample(&w, &l, 1, 1), -1, "a plain sample in a histogram family is refused");
	mt_family(&w, "t_g", MT_GAUGE, "g");
	is_int(mt_histogram(&w, &l, 1, &h), -1, "a histogram in a gauge family is refused");
	mt_free(&w);
	mt_hist_free(&h);
	buf_free(&out);
}

static void test_many(void)
{
	struct buf out = BUF_INIT;
	struct mt_writer w;
	char v[16];
	int bad = 0;

	mt_init(&w, &out);
	mt_family(&w, "t_many", MT_GAUGE, "many");
	for (int i = 0; i < 5000; i++) {
		struct mt_label l = { "ups", v };
		snprintf(v, sizeof(v), "u%d", i);
		bad += mt_sample(&w, &l, 1, i) != 0;
	}
	for (int i = 0; i < 5000; i += 7) {
		struct mt_label l = { "ups", v };
		snprintf(v, sizeof(v), "u%d", i);
		bad += mt_sample(&w, &l, 1, i) == 0;
	}
	is_int(bad, 0, "5,000 distinct series taken, each repeated one refused (the table grows)");
	buf_reset(&out);
	mt_reset(&w, &out);
	{
		struct mt_label l = { "ups", "u1" };
		is_int(mt_family(&w, "t_many", MT_GAUGE, "many"), 0, "after mt_reset(): the family again");
		is_int(mt_sample(&w, &l, 1, 1) + mt_sample(&w, &l, 1, 1), -1, "... its series once again, not twice");
		is_str(out.p, "# HELP t_many many\n# TYPE t_many gauge\nt_many{ups=\"u1\"} 1\n", "... the output afresh");
	}
	mt_free(&w);
	buf_free(&out);
}

static void test_addr(void)
{
	struct hs_addr a;
	char err[256];

	is_int(hs_parse_addr("9199", &a, err, sizeof(err)), 0, "PORT");
	is_str(a.text, "127.0.0.1:9199", "PORT listens on 127.0.0.1");
	is_int(hs_parse_addr("0.0.0.0:80", &a, err, sizeof(err)), 0, "HOST:PORT");
	is_str(a.text, "0.0.0.0:80", "as given");
	is_int(hs_parse_addr("[::1]:9199", &a, err, sizeof(err)), 0, "[V6]:PORT");
	is_str(a.text, "[::1]:9199", "IPv6 in brackets");
	is_int(hs_parse_addr("localhost:9199", &a, err, sizeof(err)), -1, "a name is refused");
	ok(strstr(err, "not a host name") != NULL, "and says to give an address: %s", err);
	is_int(hs_parse_addr("::1:9199", &a, err, sizeof(err)), -1, "IPv6 without brackets is refused");
	ok(strstr(err, "brackets") != NULL, "and says so: %s", err);
	is_int(hs_parse_addr("127.0.0.1:0", &a, err, sizeof(err)), -1, "port 0 is refused");
	is_int(hs_parse_addr("127.0.0.1:65536", &a, err, sizeof(err)), -1, "port 65536 is refused");
	is_int(hs_parse_addr("127.0.0.1:", &a, err, sizeof(err)), -1, "no port is refused");
	is_int(hs_parse_addr("[::1]9199", &a, err, sizeof(err)), -1, "[V6]PORT is refused");
	is_int(hs_parse_addr("", &a, err, sizeof(err)), -1, "nothing is refused");
	is_int(hs_parse_addr("12x", &a, err, sizeof(err)), -1, "junk is refused");
}

int main(void)
{
	test_escaping();
	test_values();
	test_histogram();
	test_many();
	test_addr();
	return done_testing();
}
