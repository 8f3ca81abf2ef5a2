/* SPDX-License-Identifier: MIT */
/*
 * Parser for vireo.vm= values (name:key=value,...) and the one-line
 * description of a parsed VM. Every rejected value yields a sentence naming
 * the option, the value seen and what to write instead.
 */
#include <stdarg.h>
#include "vm/config.h"
#include "lib/format.h"
#include "lib/string.h"
#include "smp/percpu.h"
#include "guest/vcpu.h"

_Static_assert(VM_CONFIG_CPUS == MAX_CPUS, "the VM CPU mask must cover every CPU");
_Static_assert(VM_CONFIG_CPUS % VM_CONFIG_CPU_WORD_BITS == 0, "whole mask words");

/* Longest piece of user text quoted back in a message. */
#define VC_SHOW_MAX 40
#define VC_DEC_BASE 10
#define VC_KIB_SHIFT 10
#define VC_MIB_SHIFT 20
#define VC_GIB_SHIFT 30
#define VC_GIB (1ull << VC_GIB_SHIFT)
#define VC_KEYS_LIST_MAX 160
#define VC_EXAMPLE "demo1:guest=spin64,vcpus=4,mem=16M,cpus=0-3"
#define VC_CMDLINE_KEY "cmdline="
#define VC_CMDLINE_KEY_LEN (sizeof(VC_CMDLINE_KEY) - 1)
#define VC_PRINT_FIRST 0x20
#define VC_PRINT_END 0x7f

struct vc_parser {
	struct vm_config *out;
	const char *text;
	size_t text_len;
	size_t name_len; /* non-zero once the name is valid */
	char *why;
	size_t why_len;
	unsigned seen; /* bit i: vc_keys[i] given */
};

/* A value as written after "key=". */
struct vc_value {
	const char *s;
	size_t len;
};

struct vc_key {
	const char *name;
	const char *example;
	enum err (*set)(struct vc_parser *p, const struct vc_value *v);
	bool empty_ok; /* "key=" alone is a valid, empty value */
};

enum vc_num { VC_NUM_OK, VC_NUM_BAD, VC_NUM_OVERFLOW };

static const struct {
	const char *word;
	int mode;
	const char *describe;
} vc_modes[] = {
    {"long", VCPU_MODE_LONG, "long mode"},
    {"protected", VCPU_MODE_PROTECTED32, "protected mode"},
    {"real", VCPU_MODE_REAL, "real mode"},
};

#define VC_NMODES (sizeof(vc_modes) / sizeof(vc_modes[0]))

static int vc_show(size_t len)
{
	return (int)(len < VC_SHOW_MAX ? len : VC_SHOW_MAX);
}

static const char *vc_more(size_t len)
{
	return len > VC_SHOW_MAX ? "..." : "";
}

static bool vc_equal(const char *s, size_t len, const char *word)
{
	return !strncmp(s, word, len) && word[len] == '\0';
}

/* Message text comes partly from the user: keep it printable on a console. */
static void vc_sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < VC_PRINT_FIRST || c >= VC_PRINT_END)
			*s = '?';
	}
}

static size_t vc_clamp(int n, size_t room)
{
	if (n <= 0 || room == 0)
		return 0;
	return (size_t)n < room ? (size_t)n : room - 1;
}

/* Write "vireo.vm=<name or text>: <message>" to why[] and return @e. */
__attribute__((format(printf, 3, 4))) static enum err vc_fail(struct vc_parser *p, enum err e,
							      const char *fmt, ...)
{
	size_t len;
	va_list ap;

	if (!p->why || !p->why_len)
		return e;
	if (p->name_len)
		len = vc_clamp(
		    fmt_snprintf(p->why, p->why_len, "vireo.vm=%.*s: ", (int)p->name_len, p->text),
		    p->why_len);
	else
		len = vc_clamp(fmt_snprintf(p->why, p->why_len, "vireo.vm=%.*s%s: ",
					    vc_show(p->text_len), p->text, vc_more(p->text_len)),
			       p->why_len);
	va_start(ap, fmt);
	fmt_vsnprintf(p->why + len, p->why_len - len, fmt, ap);
	va_end(ap);
	vc_sanitize(p->why);
	return e;
}

/* Decimal digits only; no sign, no spaces. */
static enum vc_num vc_parse_dec(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return VC_NUM_BAD;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return VC_NUM_BAD;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / VC_DEC_BASE)
			return VC_NUM_OVERFLOW;
		v = v * VC_DEC_BASE + d;
	}
	*out = v;
	return VC_NUM_OK;
}

static unsigned vc_suffix_shift(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return VC_KIB_SHIFT;
	case 'm':
	case 'M':
		return VC_MIB_SHIFT;
	case 'g':
	case 'G':
		return VC_GIB_SHIFT;
	default:
		return 0;
	}
}

/* A decimal byte count with an optional K, M or G suffix (powers of 1024). */
static enum vc_num vc_parse_size(const char *s, size_t len, uint64_t *out)
{
	unsigned shift = len ? vc_suffix_shift(s[len - 1]) : 0;
	enum vc_num r;
	uint64_t v;

	r = vc_parse_dec(s, shift ? len - 1 : len, &v);
	if (r != VC_NUM_OK)
		return r;
	if (v > (UINT64_MAX >> shift))
		return VC_NUM_OVERFLOW;
	*out = v << shift;
	return VC_NUM_OK;
}

static enum err vc_set_guest(struct vc_parser *p, const struct vc_value *v)
{
	if (v->len >= VM_CONFIG_GUEST_MAX)
		return vc_fail(p, E_RANGE,
			       "guest=%.*s%s is longer than %u characters (use the name of a "
			       "built-in guest, e.g. guest=spin64)",
			       vc_show(v->len), v->s, vc_more(v->len), VM_CONFIG_GUEST_MAX - 1);
	for (size_t i = 0; i < v->len; i++) {
		char c = v->s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
			continue;
		return vc_fail(p, E_INVAL,
			       "guest=%.*s has '%c'; guest names use only a-z, 0-9 and '_' "
			       "(e.g. guest=spin64)",
			       (int)v->len, v->s, c);
	}
	memcpy(p->out->guest, v->s, v->len);
	p->out->guest[v->len] = '\0';
	return E_OK;
}

static bool vc_image_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* One GRUB module name (image= or an element of modules=) into out. */
static enum err vc_module_name(struct vc_parser *p, const char *key, const char *s, size_t len,
			       char *out)
{
	if (!len)
		return vc_fail(p, E_INVAL,
			       "%s= has an empty module name (e.g. %s=mbtest1.elf; join several "
			       "modules with '+')",
			       key, key);
	if (len >= VM_CONFIG_IMAGE_MAX)
		return vc_fail(p, E_RANGE,
			       "%s=%.*s%s is longer than %u characters (use the file name a "
			       "GRUB module was loaded under, e.g. %s=mbtest1.elf)",
			       key, vc_show(len), s, vc_more(len), VM_CONFIG_IMAGE_MAX - 1, key);
	for (size_t i = 0; i < len; i++) {
		if (!vc_image_char(s[i]))
			return vc_fail(p, E_INVAL,
				       "%s=%.*s has '%c'; module names use only letters, digits, "
				       "'.', '_' and '-' (e.g. %s=mbtest1.elf)",
				       key, (int)len, s, s[i], key);
	}
	memcpy(out, s, len);
	out[len] = '\0';
	return E_OK;
}

static enum err vc_set_image(struct vc_parser *p, const struct vc_value *v)
{
	return vc_module_name(p, "image", v->s, v->len, p->out->image);
}

/* A key with two words: *first says which one @v is; false if neither. */
static bool vc_pick(const struct vc_value *v, const char *first, const char *second, bool *is_first)
{
	*is_first = vc_equal(v->s, v->len, first);
	return *is_first || vc_equal(v->s, v->len, second);
}

static enum err vc_set_kernel(struct vc_parser *p, const struct vc_value *v)
{
	return vc_module_name(p, "kernel", v->s, v->len, p->out->kernel);
}

static enum err vc_set_initrd(struct vc_parser *p, const struct vc_value *v)
{
	return vc_module_name(p, "initrd", v->s, v->len, p->out->initrd);
}

static enum err vc_set_on_reboot(struct vc_parser *p, const struct vc_value *v)
{
	if (vc_pick(v, "restart", "stop", &p->out->on_reboot_restart))
		return E_OK;
	return vc_fail(p, E_INVAL,
		       "on_reboot=%.*s%s is neither restart nor stop (on_reboot=restart boots "
		       "the VM again when its guest resets the machine)",
		       vc_show(v->len), v->s, vc_more(v->len));
}

static enum err vc_set_modules(struct vc_parser *p, const struct vc_value *v)
{
	size_t start = 0;

	for (size_t i = 0; i <= v->len; i++) {
		enum err e;

		if (i < v->len && v->s[i] != '+')
			continue;
		if (p->out->module_count == VM_CONFIG_MODULES)
			return vc_fail(p, E_RANGE, "modules=%.*s%s names more than %u modules",
				       vc_show(v->len), v->s, vc_more(v->len), VM_CONFIG_MODULES);
		e = vc_module_name(p, "modules", v->s + start, i - start,
				   p->out->modules[p->out->module_count]);
		if (e != E_OK)
			return e;
		p->out->module_count++;
		start = i + 1;
	}
	return E_OK;
}

static enum err vc_set_vcpus(struct vc_parser *p, const struct vc_value *v)
{
	uint64_t n = 0;
	enum vc_num r = vc_parse_dec(v->s, v->len, &n);

	if (r == VC_NUM_BAD)
		return vc_fail(p, E_INVAL,
			       "vcpus=%.*s%s is not a number (use e.g. vcpus=4, from 1 to %u)",
			       vc_show(v->len), v->s, vc_more(v->len), VM_CONFIG_MAX_VCPUS);
	if (r == VC_NUM_OVERFLOW || n < 1 || n > VM_CONFIG_MAX_VCPUS)
		return vc_fail(p, E_RANGE, "vcpus=%.*s%s is out of range (use 1 to %u vCPUs)",
			       vc_show(v->len), v->s, vc_more(v->len), VM_CONFIG_MAX_VCPUS);
	p->out->vcpus = (unsigned)n;
	return E_OK;
}

static enum err vc_set_mem(struct vc_parser *p, const struct vc_value *v)
{
	uint64_t n = 0, fix;
	enum vc_num r = vc_parse_size(v->s, v->len, &n);

	if (r == VC_NUM_BAD)
		return vc_fail(p, E_INVAL,
			       "mem=%.*s%s is not a size (use a number with an optional K, M or G "
			       "suffix, e.g. mem=16M)",
			       vc_show(v->len), v->s, vc_more(v->len));
	if (r == VC_NUM_OVERFLOW || n < VM_CONFIG_MEM_MIN || n > VM_CONFIG_MEM_MAX)
		return vc_fail(p, E_RANGE, "mem=%.*s%s is outside 1M..1G (use e.g. mem=%s)",
			       vc_show(v->len), v->s, vc_more(v->len),
			       n > VM_CONFIG_MEM_MAX || r == VC_NUM_OVERFLOW ? "1G" : "2M");
	if (n % VM_CONFIG_MEM_ALIGN) {
		fix = (n + VM_CONFIG_MEM_ALIGN - 1) / VM_CONFIG_MEM_ALIGN * VM_CONFIG_MEM_ALIGN;
		return vc_fail(p, E_INVAL,
			       "mem=%.*s%s is not a multiple of 2 MiB (use e.g. mem=%lluM)",
			       vc_show(v->len), v->s, vc_more(v->len),
			       (unsigned long long)(fix >> VC_MIB_SHIFT));
	}
	p->out->mem_bytes = n;
	return E_OK;
}

static void vc_cpus_set(struct vm_config_cpus *m, uint64_t lo, uint64_t hi)
{
	for (uint64_t c = lo; c <= hi; c++)
		m->bits[c / VM_CONFIG_CPU_WORD_BITS] |= 1ull << (c % VM_CONFIG_CPU_WORD_BITS);
}

/* One CPU number of a range; @tok is the number's text. */
static enum err vc_cpu_number(struct vc_parser *p, const struct vc_value *v,
			      const struct vc_value *range, const struct vc_value *tok,
			      uint64_t *out)
{
	enum vc_num r = vc_parse_dec(tok->s, tok->len, out);

	if (r == VC_NUM_BAD)
		return vc_fail(p, E_INVAL,
			       "cpus=%.*s%s: '%.*s%s' is not a CPU number or range a-b (use e.g. "
			       "cpus=0-3 or cpus=1+3+5-7)",
			       vc_show(v->len), v->s, vc_more(v->len), vc_show(range->len),
			       range->s, vc_more(range->len));
	if (r == VC_NUM_OVERFLOW || *out >= VM_CONFIG_CPUS)
		return vc_fail(p, E_RANGE, "cpus=%.*s%s: CPU %.*s%s is beyond the last CPU, %u",
			       vc_show(v->len), v->s, vc_more(v->len), vc_show(tok->len), tok->s,
			       vc_more(tok->len), VM_CONFIG_CPUS - 1);
	return E_OK;
}

/* "a" or "a-b" with a <= b; @range is not empty. */
static enum err vc_cpu_range(struct vc_parser *p, const struct vc_value *v,
			     const struct vc_value *range, uint64_t *lo, uint64_t *hi)
{
	struct vc_value first = {range->s, 0}, last;
	enum err e;

	while (first.len < range->len && range->s[first.len] != '-')
		first.len++;
	e = vc_cpu_number(p, v, range, &first, lo);
	if (e != E_OK)
		return e;
	if (first.len == range->len) {
		*hi = *lo;
		return E_OK;
	}
	last.s = range->s + first.len + 1;
	last.len = range->len - first.len - 1;
	e = vc_cpu_number(p, v, range, &last, hi);
	if (e != E_OK)
		return e;
	if (*lo > *hi)
		return vc_fail(
		    p, E_INVAL, "cpus=%.*s%s: range %llu-%llu is descending (write %llu-%llu)",
		    vc_show(v->len), v->s, vc_more(v->len), (unsigned long long)*lo,
		    (unsigned long long)*hi, (unsigned long long)*hi, (unsigned long long)*lo);
	return E_OK;
}

/* Ranges joined by '+', ascending and not overlapping. */
static enum err vc_set_cpus(struct vc_parser *p, const struct vc_value *v)
{
	struct vm_config_cpus *m = &p->out->cpus;
	uint64_t next = 0, lo, hi;
	size_t pos = 0;

	memset(m, 0, sizeof(*m));
	for (;;) {
		struct vc_value range = {v->s + pos, 0};
		enum err e;

		while (pos + range.len < v->len && range.s[range.len] != '+')
			range.len++;
		if (!range.len)
			return vc_fail(p, E_INVAL,
				       "cpus=%.*s%s has an empty range (join ranges with one '+', "
				       "e.g. cpus=1+3+5-7)",
				       vc_show(v->len), v->s, vc_more(v->len));
		e = vc_cpu_range(p, v, &range, &lo, &hi);
		if (e != E_OK)
			return e;
		if (lo < next)
			return vc_fail(
			    p, E_INVAL,
			    "cpus=%.*s%s: range %.*s%s does not come after the previous "
			    "range (list ranges in ascending order without overlap, e.g. "
			    "cpus=1+3+5-7)",
			    vc_show(v->len), v->s, vc_more(v->len), vc_show(range.len), range.s,
			    vc_more(range.len));
		vc_cpus_set(m, lo, hi);
		next = hi + 1;
		pos += range.len;
		if (pos == v->len)
			break;
		pos++;
	}
	p->out->cpus_given = true;
	return E_OK;
}

static enum err vc_set_mode(struct vc_parser *p, const struct vc_value *v)
{
	for (size_t i = 0; i < VC_NMODES; i++) {
		if (vc_equal(v->s, v->len, vc_modes[i].word)) {
			p->out->mode = vc_modes[i].mode;
			return E_OK;
		}
	}
	return vc_fail(p, E_INVAL,
		       "mode=%.*s%s is not a mode (use mode=long, mode=protected or mode=real)",
		       vc_show(v->len), v->s, vc_more(v->len));
}

static enum err vc_set_slice(struct vc_parser *p, const struct vc_value *v)
{
	uint64_t n = 0;
	enum vc_num r = vc_parse_dec(v->s, v->len, &n);

	if (r == VC_NUM_BAD)
		return vc_fail(p, E_INVAL,
			       "slice_us=%.*s%s is not a number of microseconds (use e.g. "
			       "slice_us=10000)",
			       vc_show(v->len), v->s, vc_more(v->len));
	if (r == VC_NUM_OVERFLOW || n < VM_CONFIG_SLICE_MIN_US || n > VM_CONFIG_SLICE_MAX_US)
		return vc_fail(p, E_RANGE, "slice_us=%.*s%s is out of range (use %llu to %llu)",
			       vc_show(v->len), v->s, vc_more(v->len), VM_CONFIG_SLICE_MIN_US,
			       VM_CONFIG_SLICE_MAX_US);
	p->out->slice_us = n;
	return E_OK;
}

static enum err vc_set_timeout(struct vc_parser *p, const struct vc_value *v)
{
	uint64_t n = 0;
	enum vc_num r = vc_parse_dec(v->s, v->len, &n);

	if (r == VC_NUM_BAD)
		return vc_fail(p, E_INVAL,
			       "timeout_ms=%.*s%s is not a number of milliseconds (use e.g. "
			       "timeout_ms=5000)",
			       vc_show(v->len), v->s, vc_more(v->len));
	if (r == VC_NUM_OVERFLOW || n < VM_CONFIG_TIMEOUT_MIN_MS || n > VM_CONFIG_TIMEOUT_MAX_MS)
		return vc_fail(p, E_RANGE,
			       "timeout_ms=%.*s%s is out of range (use %llu to %llu, or leave "
			       "timeout_ms= out for no limit)",
			       vc_show(v->len), v->s, vc_more(v->len), VM_CONFIG_TIMEOUT_MIN_MS,
			       VM_CONFIG_TIMEOUT_MAX_MS);
	p->out->timeout_ms = n;
	return E_OK;
}

static enum err vc_set_input(struct vc_parser *p, const struct vc_value *v)
{
	if (vc_pick(v, "1", "0", &p->out->input))
		return E_OK;
	return vc_fail(p, E_INVAL,
		       "input=%.*s%s is not 0 or 1 (use input=1 to send host console input to "
		       "this VM)",
		       vc_show(v->len), v->s, vc_more(v->len));
}

static enum err vc_set_unbacked(struct vc_parser *p, const struct vc_value *v)
{
	if (vc_pick(v, "stop", "ones", &p->out->unbacked_stop))
		return E_OK;
	return vc_fail(p, E_INVAL,
		       "unbacked=%.*s%s is neither ones nor stop (unbacked=stop stops the VM "
		       "when it touches guest-physical memory with nothing behind it)",
		       vc_show(v->len), v->s, vc_more(v->len));
}

/* The rest of the value, verbatim (vc_pairs() hands it over whole). */
static enum err vc_set_cmdline(struct vc_parser *p, const struct vc_value *v)
{
	if (v->len >= VM_CONFIG_CMDLINE_MAX)
		return vc_fail(p, E_RANGE,
			       "cmdline= is %zu bytes, longer than %u (shorten the guest's "
			       "command line)",
			       v->len, VM_CONFIG_CMDLINE_MAX - 1);
	memcpy(p->out->cmdline, v->s, v->len);
	p->out->cmdline[v->len] = '\0';
	return E_OK;
}

static const struct vc_key vc_keys[] = {
    {"guest", "guest=spin64", vc_set_guest, false},
    {"vcpus", "vcpus=4", vc_set_vcpus, false},
    {"mem", "mem=16M", vc_set_mem, false},
    {"cpus", "cpus=0-3", vc_set_cpus, false},
    {"mode", "mode=long", vc_set_mode, false},
    {"slice_us", "slice_us=10000", vc_set_slice, false},
    {"image", "image=mbtest1.elf", vc_set_image, false},
    {"timeout_ms", "timeout_ms=5000", vc_set_timeout, false},
    {"input", "input=1", vc_set_input, false},
    {"unbacked", "unbacked=stop", vc_set_unbacked, false},
    {"modules", "modules=initrd.img", vc_set_modules, false},
    {"cmdline", "cmdline=console=ttyS0", vc_set_cmdline, true},
    {"kernel", "kernel=vmlinuz", vc_set_kernel, false},
    {"initrd", "initrd=initrd.gz", vc_set_initrd, false},
    {"on_reboot", "on_reboot=restart", vc_set_on_reboot, false},
};

#define VC_NKEYS (sizeof(vc_keys) / sizeof(vc_keys[0]))
#define VC_KEY_GUEST 0 /* indices in vc_keys[] */
#define VC_KEY_MEM 2
#define VC_KEY_IMAGE 6
#define VC_KEY_UNBACKED 9
#define VC_KEY_KERNEL 12
#define VC_KEY_INITRD 13
#define VC_KEY_ON_REBOOT 14
#define VC_SEEN(p, k) (((p)->seen >> (k)) & 1u)

static void vc_keys_list(char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < VC_NKEYS; i++)
		len += vc_clamp(
		    fmt_snprintf(buf + len, n - len, "%s%s", i ? ", " : "", vc_keys[i].name),
		    n - len);
}

static enum err vc_not_pair(struct vc_parser *p, const char *s, size_t len)
{
	char keys[VC_KEYS_LIST_MAX];

	vc_keys_list(keys, sizeof(keys));
	return vc_fail(p, E_INVAL, "'%.*s%s' is not key=value (known keys: %s)", vc_show(len), s,
		       vc_more(len), keys);
}

/* One "key=value" between commas. */
static enum err vc_pair(struct vc_parser *p, const char *s, size_t len)
{
	const struct vc_key *key = NULL;
	struct vc_value v;
	char keys[VC_KEYS_LIST_MAX];
	size_t klen = 0, i;

	if (!len)
		return vc_fail(p, E_INVAL,
			       "stray ',' (an empty key=value pair; separate pairs with one ',', "
			       "e.g. vireo.vm=" VC_EXAMPLE ")");
	while (klen < len && s[klen] != '=')
		klen++;
	for (i = 0; i < VC_NKEYS && klen; i++) {
		if (vc_equal(s, klen, vc_keys[i].name))
			key = &vc_keys[i];
	}
	if (!klen || (!key && klen == len))
		return vc_not_pair(p, s, len);
	if (!key) {
		vc_keys_list(keys, sizeof(keys));
		return vc_fail(p, E_INVAL, "unknown key '%.*s%s' (known keys: %s)", vc_show(klen),
			       s, vc_more(klen), keys);
	}
	if (p->seen & (1u << (key - vc_keys)))
		return vc_fail(p, E_EXIST, "%s= is given twice (give each key once)", key->name);
	p->seen |= 1u << (key - vc_keys);
	if (klen == len && key->empty_ok)
		return vc_fail(p, E_INVAL,
			       "%s has no '=' (write %s= for an empty value, or e.g. %s)",
			       key->name, key->name, key->example);
	if (klen + 1 >= len && !key->empty_ok)
		return vc_fail(p, E_INVAL, "%s= has no value (use e.g. %s)", key->name,
			       key->example);
	v.s = s + klen + 1;
	v.len = len - klen - 1;
	return key->set(p, &v);
}

/* cmdline= swallows the rest of the value, commas included. */
static bool vc_starts_cmdline(const char *s, size_t len)
{
	return len >= VC_CMDLINE_KEY_LEN && !strncmp(s, VC_CMDLINE_KEY, VC_CMDLINE_KEY_LEN);
}

static enum err vc_pairs(struct vc_parser *p, const char *s, size_t len)
{
	size_t pos = 0;

	if (!len)
		return vc_fail(p, E_INVAL,
			       "nothing after ':' (expected key=value pairs with guest= or "
			       "image=, e.g. vireo.vm=" VC_EXAMPLE ")");
	for (;;) {
		size_t end = pos;
		enum err e;

		if (vc_starts_cmdline(s + pos, len - pos))
			end = len;
		while (end < len && s[end] != ',')
			end++;
		e = vc_pair(p, s + pos, end - pos);
		if (e != E_OK)
			return e;
		if (end == len)
			return E_OK;
		pos = end + 1;
	}
}

static bool vc_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* The name before ':'; returns its length in *len. */
static enum err vc_name(struct vc_parser *p, size_t *len)
{
	size_t n = 0;

	while (n < p->text_len && p->text[n] != ':')
		n++;
	if (n == p->text_len)
		return vc_fail(p, E_INVAL,
			       "missing ':' after the VM name (expected name:key=value,..., e.g. "
			       "vireo.vm=" VC_EXAMPLE ")");
	if (!n)
		return vc_fail(p, E_INVAL,
			       "the VM name before ':' is empty (use 1 to %u letters, digits, '_' "
			       "or '-', e.g. demo1)",
			       VM_CONFIG_NAME_MAX - 1);
	if (n >= VM_CONFIG_NAME_MAX)
		return vc_fail(p, E_RANGE,
			       "the VM name '%.*s%s' is longer than %u characters (use a shorter "
			       "name, e.g. demo1)",
			       vc_show(n), p->text, vc_more(n), VM_CONFIG_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		if (!vc_name_char(p->text[i]))
			return vc_fail(p, E_INVAL,
				       "the VM name '%.*s' has '%c' (use only letters, digits, '_' "
				       "and '-', e.g. demo1)",
				       (int)n, p->text, p->text[i]);
	}
	*len = n;
	return E_OK;
}

/* Exactly one of guest=, image= and kernel= names what the VM runs. */
static enum err vc_check_source(struct vc_parser *p)
{
	unsigned n =
	    VC_SEEN(p, VC_KEY_GUEST) + VC_SEEN(p, VC_KEY_IMAGE) + VC_SEEN(p, VC_KEY_KERNEL);

	if (n > 1)
		return vc_fail(p, E_INVAL,
			       "more than one of guest=, image= and kernel= is given (give "
			       "guest= for a built-in guest, image= for a Multiboot kernel or "
			       "kernel= for a Linux bzImage, one of them)");
	if (!n)
		return vc_fail(
		    p, E_INVAL,
		    "guest= is missing (name a built-in guest, e.g. %s, a Multiboot "
		    "kernel loaded as a GRUB module, e.g. %s, or a Linux bzImage, e.g. %s)",
		    vc_keys[VC_KEY_GUEST].example, vc_keys[VC_KEY_IMAGE].example,
		    vc_keys[VC_KEY_KERNEL].example);
	return E_OK;
}

/* Keys that belong to one kind of VM only. */
static enum err vc_check_guest(struct vc_parser *p)
{
	const char *what = VC_SEEN(p, VC_KEY_GUEST) ? "a built-in guest" : "a Linux kernel";
	enum err e = vc_check_source(p);

	if (e != E_OK)
		return e;
	if (p->out->module_count && !VC_SEEN(p, VC_KEY_IMAGE))
		return vc_fail(p, E_INVAL,
			       "modules= goes with image= (a Multiboot kernel's modules); %s "
			       "takes none (a Linux kernel takes initrd=)",
			       what);
	if (VC_SEEN(p, VC_KEY_UNBACKED) && VC_SEEN(p, VC_KEY_GUEST))
		return vc_fail(p, E_INVAL,
			       "unbacked= goes with image= or kernel= (a platform VM); the "
			       "built-in guest %s always stops on an access outside its memory",
			       p->out->guest);
	if ((VC_SEEN(p, VC_KEY_INITRD) || VC_SEEN(p, VC_KEY_ON_REBOOT)) &&
	    !VC_SEEN(p, VC_KEY_KERNEL))
		return vc_fail(p, E_INVAL,
			       "initrd= and on_reboot= go with kernel= (a Linux guest); give "
			       "kernel=vmlinuz or drop them");
	if (VC_SEEN(p, VC_KEY_KERNEL) && !VC_SEEN(p, VC_KEY_MEM))
		p->out->mem_bytes = VM_CONFIG_MEM_LINUX_DEFAULT;
	return E_OK;
}

static enum err vc_parse(struct vc_parser *p)
{
	struct vm_config *out = p->out;
	size_t name_len = 0;
	enum err e;

	p->text_len = strnlen(p->text, VM_CONFIG_TEXT_MAX + 1);
	if (!p->text_len)
		return vc_fail(
		    p, E_INVAL,
		    "the value is empty (expected name:key=value,..., e.g. vireo.vm=" VC_EXAMPLE
		    ")");
	if (p->text_len > VM_CONFIG_TEXT_MAX)
		return vc_fail(p, E_RANGE, "the value is longer than %u characters (shorten it)",
			       VM_CONFIG_TEXT_MAX);
	e = vc_name(p, &name_len);
	if (e != E_OK)
		return e;
	p->name_len = name_len;
	memcpy(out->name, p->text, name_len);
	out->name[name_len] = '\0';
	e = vc_pairs(p, p->text + name_len + 1, p->text_len - name_len - 1);
	if (e != E_OK)
		return e;
	return vc_check_guest(p);
}

static void vc_defaults(struct vm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->vcpus = VM_CONFIG_VCPUS_DEFAULT;
	c->mem_bytes = VM_CONFIG_MEM_DEFAULT;
	memset(c->cpus.bits, 0xff, sizeof(c->cpus.bits));
	c->mode = VCPU_MODE_LONG;
}

enum err vm_config_parse(const char *text, struct vm_config *out, char *why, size_t why_len)
{
	struct vc_parser p = {out, text ? text : "", 0, 0, why, why_len, 0};
	enum err e;

	if (why && why_len)
		why[0] = '\0';
	if (!out)
		return vc_fail(&p, E_INVAL,
			       "no place to store the VM description (internal error)");
	vc_defaults(out);
	e = vc_parse(&p);
	if (e != E_OK)
		memset(out, 0, sizeof(*out));
	return e;
}

/* ---- description ---------------------------------------------------------- */

struct vc_buf {
	char *s;
	size_t n;
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void vc_add(struct vc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	b->len += vc_clamp(fmt_vsnprintf(b->s + b->len, b->n - b->len, fmt, ap), b->n - b->len);
	va_end(ap);
}

static unsigned vc_cpu_count(const struct vm_config_cpus *m)
{
	unsigned n = 0;

	for (unsigned w = 0; w < VM_CONFIG_CPU_WORDS; w++) {
		for (uint64_t bits = m->bits[w]; bits; bits &= bits - 1)
			n++;
	}
	return n;
}

static void vc_add_cpus(struct vc_buf *b, const struct vm_config *c)
{
	unsigned count = vc_cpu_count(&c->cpus), cpu = 0;
	bool first = true;

	if (!c->cpus_given) {
		vc_add(b, ", any CPU");
		return;
	}
	vc_add(b, ", %s", count == 1 ? "CPU " : count ? "CPUs " : "no CPU");
	while (cpu < VM_CONFIG_CPUS) {
		unsigned end = cpu;

		if (!vm_config_has_cpu(c, cpu)) {
			cpu++;
			continue;
		}
		while (end + 1 < VM_CONFIG_CPUS && vm_config_has_cpu(c, end + 1))
			end++;
		vc_add(b, end == cpu ? "%s%u" : "%s%u-%u", first ? "" : "+", cpu, end);
		first = false;
		cpu = end + 1;
	}
}

static void vc_add_mem(struct vc_buf *b, uint64_t bytes)
{
	if (bytes && bytes % VC_GIB == 0)
		vc_add(b, ", %llu GiB", (unsigned long long)(bytes >> VC_GIB_SHIFT));
	else if (bytes % VM_CONFIG_MIB == 0)
		vc_add(b, ", %llu MiB", (unsigned long long)(bytes >> VC_MIB_SHIFT));
	else
		vc_add(b, ", %llu bytes", (unsigned long long)bytes);
}

static void vc_add_mode(struct vc_buf *b, int mode)
{
	if (mode == VCPU_MODE_LONG)
		return;
	for (size_t i = 0; i < VC_NMODES; i++) {
		if (vc_modes[i].mode == mode) {
			vc_add(b, ", %s", vc_modes[i].describe);
			return;
		}
	}
	vc_add(b, ", mode %d", mode);
}

void vm_config_describe(const struct vm_config *c, char *buf, size_t n)
{
	struct vc_buf b = {buf, n, 0};

	if (!buf || !n)
		return;
	buf[0] = '\0';
	if (c->image[0])
		vc_add(&b, "%.*s: image %.*s", VM_CONFIG_NAME_MAX - 1, c->name,
		       VM_CONFIG_IMAGE_MAX - 1, c->image);
	else if (c->kernel[0])
		vc_add(&b, "%.*s: Linux kernel %.*s", VM_CONFIG_NAME_MAX - 1, c->name,
		       VM_CONFIG_IMAGE_MAX - 1, c->kernel);
	else
		vc_add(&b, "%.*s: guest %.*s", VM_CONFIG_NAME_MAX - 1, c->name,
		       VM_CONFIG_GUEST_MAX - 1, c->guest);
	vc_add(&b, ", %u vCPU%s", c->vcpus, c->vcpus == 1 ? "" : "s");
	vc_add_mem(&b, c->mem_bytes);
	vc_add_cpus(&b, c);
	vc_add_mode(&b, c->mode);
	if (c->slice_us)
		vc_add(&b, ", slice %llu us", (unsigned long long)c->slice_us);
	if (c->timeout_ms)
		vc_add(&b, ", timeout %llu ms", (unsigned long long)c->timeout_ms);
	if (c->input)
		vc_add(&b, ", input");
	if (c->unbacked_stop)
		vc_add(&b, ", unbacked=stop");
	if (c->initrd[0])
		vc_add(&b, ", initrd %.*s", VM_CONFIG_IMAGE_MAX - 1, c->initrd);
	if (c->on_reboot_restart)
		vc_add(&b, ", on_reboot=restart");
	for (unsigned i = 0; i < c->module_count; i++)
		vc_add(&b, "%s%.*s", i ? "+" : ", modules ", VM_CONFIG_IMAGE_MAX - 1,
		       c->modules[i]);
	if (c->cmdline[0])
		vc_add(&b, ", cmdline \"%.*s\"", VM_CONFIG_CMDLINE_MAX - 1, c->cmdline);
	vc_sanitize(buf);
}
