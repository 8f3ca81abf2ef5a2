/* SPDX-License-Identifier: MIT */
/*
 * Kernel command-line parser: splits the line into words, matches each
 * key=value word against the option table, converts and range-checks the
 * value, and reports problems as readable sentences without ever failing.
 */
#include <stdarg.h>
#include <stdbool.h>
#include "kernel/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

/* Longest piece of user text quoted back in a message. */
#define CMDLINE_SHOW_MAX 64
#define KIB_SHIFT 10
#define MIB_SHIFT 20
#define GIB_SHIFT 30
#define HEX_BASE 16
#define DEC_BASE 10

struct cmdline_parser {
	const struct cmdline_option *opts;
	size_t nopts;
	cmdline_report_fn report;
	void *ctx;
	unsigned problems;
	size_t msg_len;
	char msg[CMDLINE_MSG_MAX];
};

/* A value as written after '=', quotes removed. */
struct cmdline_value {
	const char *s;
	size_t len;
};

static const struct {
	const char *word;
	bool value;
} cmdline_bools[] = {
    {"1", true},  {"0", false},	  {"yes", true},  {"no", false},
    {"on", true}, {"off", false}, {"true", true}, {"false", false},
};

static bool cl_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int cl_show(size_t len)
{
	return (int)(len < CMDLINE_SHOW_MAX ? len : CMDLINE_SHOW_MAX);
}

static bool cl_equal(const char *s, size_t len, const char *word)
{
	return !strncmp(s, word, len) && word[len] == '\0';
}

static bool cl_has_quote(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			return true;
	}
	return false;
}

static void cl_begin(struct cmdline_parser *p)
{
	p->msg_len = 0;
	p->msg[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void cl_add(struct cmdline_parser *p, const char *fmt,
							 ...)
{
	size_t room = sizeof(p->msg) - p->msg_len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(p->msg + p->msg_len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->msg_len += (size_t)n < room ? (size_t)n : room - 1;
}

static void cl_emit(struct cmdline_parser *p)
{
	p->problems++;
	if (p->report)
		p->report(p->ctx, p->msg);
}

static uint64_t cl_max(const struct cmdline_option *o)
{
	return o->min == 0 && o->max == 0 ? UINT64_MAX : o->max;
}

static void cl_add_list(struct cmdline_parser *p, const char *const *names)
{
	for (size_t i = 0; names && names[i]; i++)
		cl_add(p, "%s%s", i ? ", " : "", names[i]);
}

/* Append what a valid value of @o looks like. */
static void cl_add_expected(struct cmdline_parser *p, const struct cmdline_option *o)
{
	switch (o->type) {
	case CMDLINE_STR:
	case CMDLINE_LIST:
		cl_add(p, "text of at most %zu characters", o->size ? o->size - 1 : 0);
		break;
	case CMDLINE_U64:
		cl_add(p, "a number (decimal or 0x hex, optional K/M/G suffix) from %llu to %llu",
		       (unsigned long long)o->min, (unsigned long long)cl_max(o));
		break;
	case CMDLINE_BOOL:
		cl_add(p, "1/0, yes/no, on/off or true/false");
		break;
	case CMDLINE_ENUM:
		cl_add(p, "one of: ");
		cl_add_list(p, o->choices);
		break;
	}
}

static void cl_bad_value(struct cmdline_parser *p, const struct cmdline_option *o,
			 const struct cmdline_value *v, const char *what)
{
	cl_begin(p);
	cl_add(p, "option '%s': '%.*s' %s; expected ", o->key, cl_show(v->len), v->s, what);
	cl_add_expected(p, o);
	cl_add(p, " (keeping the previous value)");
	cl_emit(p);
}

static unsigned cl_digit(char c)
{
	char l = c | 0x20;

	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (l >= 'a' && l <= 'f')
		return (unsigned)(l - 'a' + 10);
	return HEX_BASE;
}

static unsigned cl_suffix_shift(char c)
{
	switch (c | 0x20) {
	case 'k':
		return KIB_SHIFT;
	case 'm':
		return MIB_SHIFT;
	case 'g':
		return GIB_SHIFT;
	default:
		return 0;
	}
}

enum cl_num { CL_NUM_OK, CL_NUM_BAD, CL_NUM_OVERFLOW };

/* Decimal or 0x hex, then an optional K/M/G suffix (powers of 1024). */
static enum cl_num cl_parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = DEC_BASE, shift = 0;
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	if (len >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		base = HEX_BASE;
		i = 2;
	}
	if (len > i && (shift = cl_suffix_shift(s[len - 1])))
		len--;
	for (; i < len; i++, digits++) {
		unsigned d = cl_digit(s[i]);

		if (d >= base)
			return CL_NUM_BAD;
		if (v > (UINT64_MAX - d) / base)
			return CL_NUM_OVERFLOW;
		v = v * base + d;
	}
	if (!digits)
		return CL_NUM_BAD;
	if (v > (UINT64_MAX >> shift))
		return CL_NUM_OVERFLOW;
	*out = v << shift;
	return CL_NUM_OK;
}

static void cl_set_str(struct cmdline_parser *p, const struct cmdline_option *o,
		       const struct cmdline_value *v)
{
	char *dst = o->value;

	if (v->len >= o->size) {
		cl_bad_value(p, o, v, "is too long");
		return;
	}
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
}

static void cl_set_list(struct cmdline_parser *p, const struct cmdline_option *o,
			const struct cmdline_value *v)
{
	struct cmdline_list *l = o->value;
	char *dst;

	if (l->count == l->cap) {
		l->refused++;
		cl_bad_value(p, o, v, "is one too many (ignored)");
		return;
	}
	if (v->len >= o->size) {
		l->refused++;
		cl_bad_value(p, o, v, "is too long");
		return;
	}
	dst = l->items + l->count++ * o->size;
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
}

static void cl_set_u64(struct cmdline_parser *p, const struct cmdline_option *o,
		       const struct cmdline_value *v)
{
	uint64_t n = 0;

	switch (cl_parse_u64(v->s, v->len, &n)) {
	case CL_NUM_BAD:
		cl_bad_value(p, o, v, "is not a number");
		return;
	case CL_NUM_OVERFLOW:
		cl_bad_value(p, o, v, "does not fit in 64 bits");
		return;
	case CL_NUM_OK:
		break;
	}
	if (n < o->min || n > cl_max(o)) {
		cl_bad_value(p, o, v, "is out of range");
		return;
	}
	*(uint64_t *)o->value = n;
}

static void cl_set_bool(struct cmdline_parser *p, const struct cmdline_option *o,
			const struct cmdline_value *v)
{
	for (size_t i = 0; i < sizeof(cmdline_bools) / sizeof(cmdline_bools[0]); i++) {
		if (cl_equal(v->s, v->len, cmdline_bools[i].word)) {
			*(bool *)o->value = cmdline_bools[i].value;
			return;
		}
	}
	cl_bad_value(p, o, v, "is not a boolean");
}

static void cl_set_enum(struct cmdline_parser *p, const struct cmdline_option *o,
			const struct cmdline_value *v)
{
	for (int i = 0; o->choices && o->choices[i]; i++) {
		if (cl_equal(v->s, v->len, o->choices[i])) {
			*(int *)o->value = i;
			return;
		}
	}
	cl_bad_value(p, o, v, "is not a known choice");
}

static const struct cmdline_option *cl_find(struct cmdline_parser *p, const char *key, size_t len)
{
	for (size_t i = 0; i < p->nopts; i++) {
		if (p->opts[i].key && cl_equal(key, len, p->opts[i].key))
			return &p->opts[i];
	}
	return NULL;
}

static void cl_unknown(struct cmdline_parser *p, const char *key, size_t len)
{
	cl_begin(p);
	cl_add(p, "unknown option '%.*s' (ignored); known options: ", cl_show(len), key);
	for (size_t i = 0; i < p->nopts; i++)
		cl_add(p, "%s%s", i ? ", " : "", p->opts[i].key ? p->opts[i].key : "?");
	cl_emit(p);
}

static void cl_bare(struct cmdline_parser *p, const struct cmdline_option *o)
{
	if (o->type == CMDLINE_BOOL) {
		*(bool *)o->value = true;
		return;
	}
	cl_begin(p);
	cl_add(p, "option '%s' needs a value (%s=...): expected ", o->key, o->key);
	cl_add_expected(p, o);
	cl_add(p, " (keeping the previous value)");
	cl_emit(p);
}

/* Strip the quotes of "..." and reject quotes anywhere else. */
static bool cl_unquote(struct cmdline_parser *p, const struct cmdline_option *o,
		       struct cmdline_value *v)
{
	if (v->len >= 2 && v->s[0] == '"' && v->s[v->len - 1] == '"') {
		v->s++;
		v->len -= 2;
	}
	if (!cl_has_quote(v->s, v->len))
		return true;
	cl_begin(p);
	cl_add(p,
	       "option '%s': value '%.*s' has a stray '\"'; quote the whole value, as in "
	       "%s=\"a b\" (keeping the previous value)",
	       o->key, cl_show(v->len), v->s, o->key);
	cl_emit(p);
	return false;
}

/*
 * One word: key or key=value. Every occurrence is applied in order, so when
 * a key appears more than once the last valid value wins.
 */
static void cl_word(struct cmdline_parser *p, const char *w, size_t len)
{
	size_t klen = 0;
	const struct cmdline_option *o;
	struct cmdline_value v;

	/* GRUB quotes a whole argument that holds spaces: "key=a b". */
	if (len >= 2 && w[0] == '"' && w[len - 1] == '"' && !cl_has_quote(w + 1, len - 2)) {
		w++;
		len -= 2;
	}
	while (klen < len && w[klen] != '=')
		klen++;
	if (klen == 0 || cl_has_quote(w, klen)) {
		cl_begin(p);
		cl_add(p,
		       "'%.*s' is not an option: expected key or key=value, where only the "
		       "value may be quoted (ignored)",
		       cl_show(len), w);
		cl_emit(p);
		return;
	}
	o = cl_find(p, w, klen);
	if (!o) {
		cl_unknown(p, w, klen);
		return;
	}
	if (klen == len) {
		cl_bare(p, o);
		return;
	}
	v.s = w + klen + 1;
	v.len = len - klen - 1;
	if (!cl_unquote(p, o, &v))
		return;
	switch (o->type) {
	case CMDLINE_STR:
		cl_set_str(p, o, &v);
		break;
	case CMDLINE_U64:
		cl_set_u64(p, o, &v);
		break;
	case CMDLINE_BOOL:
		cl_set_bool(p, o, &v);
		break;
	case CMDLINE_ENUM:
		cl_set_enum(p, o, &v);
		break;
	case CMDLINE_LIST:
		cl_set_list(p, o, &v);
		break;
	}
}

/* Length of the word at @s (at most @n chars); *open says a quote was left open. */
static size_t cl_word_len(const char *s, size_t n, bool *open)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < n && (quoted || !cl_space(s[i])); i++) {
		if (s[i] == '"')
			quoted = !quoted;
	}
	*open = quoted;
	return i;
}

static void cl_open_quote(struct cmdline_parser *p, const char *w, size_t len)
{
	cl_begin(p);
	cl_add(p, "'%.*s' has an opening '\"' without a closing one (ignored)", cl_show(len), w);
	cl_emit(p);
}

unsigned cmdline_parse(const char *line, const struct cmdline_option *opts, size_t nopts,
		       cmdline_report_fn report, void *ctx)
{
	struct cmdline_parser p = {opts, nopts, report, ctx, 0, 0, {0}};
	bool first = true, cut = false;
	size_t len, pos = 0;

	if (!line)
		line = "";
	len = strnlen(line, CMDLINE_MAX_LEN + 1);
	if (len > CMDLINE_MAX_LEN) {
		cut = true;
		len = CMDLINE_MAX_LEN;
		cl_begin(&p);
		cl_add(&p,
		       "command line is longer than %u characters; the word crossing that "
		       "limit and all after it are ignored",
		       CMDLINE_MAX_LEN);
		cl_emit(&p);
	}
	while (pos < len) {
		bool open;
		size_t wlen;

		if (cl_space(line[pos])) {
			pos++;
			continue;
		}
		wlen = cl_word_len(line + pos, len - pos, &open);
		/* line[len] is readable here: strnlen() saw more than len characters. */
		if (cut && pos + wlen == len && (open || !cl_space(line[len])))
			break;
		if (open)
			cl_open_quote(&p, line + pos, wlen);
		else if (!(first && line[pos] == '/'))
			cl_word(&p, line + pos, wlen);
		first = false;
		pos += wlen;
	}
	return p.problems;
}
