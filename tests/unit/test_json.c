// SPDX-License-Identifier: MIT
/* json.c: tokens walked by index, converters, the escaping writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"
#include "json.h"

static int parse(struct mc_json *j, const char *s)
{
	return mc_json_parse(j, s, strlen(s));
}

static void test_walk(void **state)
{
	const char *doc = "{\"a\": [1, {\"b\": true}, \"x\"], \"c\": {\"d\": null}, \"e\": -5}";
	struct mc_json j;
	int a, i, n = 0;
	int64_t v;

	(void)state;
	assert_int_equal(parse(&j, doc), 0);
	a = mc_json_get(&j, 0, "a");
	assert_true(mc_json_is(&j, a, MC_JSON_ARRAY));
	for (i = mc_json_first(&j, a); i >= 0; i = mc_json_next(&j, a, i))
		n++;
	assert_int_equal(n, 3);
	assert_true(mc_json_is_null(&j, mc_json_get(&j, mc_json_get(&j, 0, "c"), "d")));
	assert_int_equal(mc_json_int(&j, mc_json_get(&j, 0, "e"), "e", &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(mc_json_get(&j, 0, "b"), -1);	/* not at the top */
	assert_int_equal(mc_json_get(&j, a, "b"), -1);	/* not an object */
	mc_json_free(&j);
}

static void test_strings(void **state)
{
	struct mc_json j;
	char *s;

	(void)state;
	assert_int_equal(parse(&j, "[\"a\\n\\\"b\\u00e9\\ud83d\\ude00\", \"\\u0000\"]"), 0);
	s = mc_json_strdup(&j, 1);
	assert_string_equal(s, "a\n\"b\xc3\xa9\xf0\x9f\x98\x80");
	free(s);
	assert_int_equal(mc_json_string(&j, 2, "x", &s), -1);	/* NUL inside */
	mc_json_free(&j);
}

static void test_numbers(void **state)
{
	struct mc_json j;
	uint64_t u;
	int64_t v;
	bool b;

	(void)state;
	assert_int_equal(parse(&j, "[18446744073709551615, -1, 1.5, 9223372036854775808, true, \"1\"]"), 0);
	assert_int_equal(mc_json_uint(&j, 1, "u", &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(mc_json_uint(&j, 2, "u", &u), -1);
	assert_string_equal(mc_error_text(), "u: expected an integer of 0 or more");
	assert_int_equal(mc_json_int(&j, 2, "v", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(mc_json_int(&j, 3, "v", &v), -1);
	assert_int_equal(mc_json_int(&j, 4, "v", &v), -1);
	assert_int_equal(mc_json_bool(&j, 5, "b", &b), 0);
	assert_true(b);
	assert_int_equal(mc_json_int(&j, 6, "v", &v), -1);
	mc_json_free(&j);
}

static void test_malformed(void **state)
{
	struct mc_json j;
	bool b;

	(void)state;
	assert_int_equal(parse(&j, "{\"a\": [1, 2}"), -1);
	assert_non_null(strstr(mc_error_text(), "malformed JSON at byte"));
	assert_int_equal(parse(&j, "{\"a\": [1, "), -1);
	assert_string_equal(mc_error_text(), "malformed JSON at byte 10: unexpected end");
	assert_int_equal(parse(&j, "{} {}"), -1);
	assert_string_equal(mc_error_text(),
			    "malformed JSON at byte 5: more than one value");
	assert_int_equal(parse(&j, ""), -1);
	assert_int_equal(parse(&j, "{a: 1}"), -1);	/* strict: keys are strings */
	assert_int_equal(parse(&j, "{\"a\" 1}"), -1);	/* a primitive for a key */
	assert_string_equal(mc_error_text(), "malformed JSON at byte 5");
	/* jsmn's first pass takes these; the pairs would be shifted. */
	assert_int_equal(parse(&j, "{\"a\" \"b\"}"), -1);
	assert_string_equal(mc_error_text(), "malformed JSON at byte 4: expected ':'");
	assert_int_equal(parse(&j, "{\"k\": {\"a\": 1, \"b\"}}"), -1);
	assert_string_equal(mc_error_text(), "malformed JSON at byte 18: expected ':'");
	assert_int_equal(parse(&j, "{\"a\": 1 \"b\": 2}"), -1);
	assert_string_equal(mc_error_text(), "malformed JSON at byte 8: expected ','");
	assert_int_equal(parse(&j, "[\"a\": 1]"), -1);
	assert_string_equal(mc_error_text(), "malformed JSON at byte 4: unexpected ':'");
	assert_int_equal(parse(&j, "{\"a\": tru}"), 0);	/* jsmn checks the first letter... */
	assert_int_equal(mc_json_bool(&j, 2, "a", &b), -1);	/* ...we check the word */
	mc_json_free(&j);
}

static void test_writer(void **state)
{
	struct mc_buf b = { 0 };

	(void)state;
	mc_buf_printf(&b, "{\"k\":");
	mc_buf_json_str(&b, "q\"\\\n\x01");
	mc_buf_printf(&b, ",\"n\":");
	mc_buf_json_str(&b, NULL);
	mc_buf_printf(&b, "}");
	assert_false(b.failed);
	assert_string_equal(b.data, "{\"k\":\"q\\\"\\\\\\n\\u0001\",\"n\":null}");
	for (int i = 0; i < 1000; i++)
		mc_buf_printf(&b, "%d", i);
	assert_int_equal(strlen(b.data), b.len);
	mc_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
