/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for vm/config.c: parses arbitrary bytes as a vireo.vm=
 * value and checks that an accepted VM obeys every rule, that a rejected one
 * leaves a zeroed config and a complete, printable message, and that a short
 * message buffer gets a prefix of the same message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "vm/config.h"
#include "vmx/vcpu.h"

#define DESCRIBE_MAX 512
#define SHORT_WHY_SPAN 32

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i])
			return false;
	}
	return true;
}

static bool only_chars(const char *s, const char *extra, bool upper)
{
	for (; *s; s++) {
		char c = *s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c))
			continue;
		if (upper && c >= 'A' && c <= 'Z')
			continue;
		return false;
	}
	return true;
}

static unsigned cpu_count(const struct vm_config *c)
{
	unsigned n = 0;

	for (unsigned cpu = 0; cpu < VM_CONFIG_CPUS; cpu++)
		n += vm_config_has_cpu(c, cpu);
	return n;
}

static void check_accepted(const char *text, const struct vm_config *c, const char *why)
{
	size_t name_len = strnlen(c->name, VM_CONFIG_NAME_MAX);
	size_t guest_len = strnlen(c->guest, VM_CONFIG_GUEST_MAX);
	char desc[DESCRIBE_MAX];

	check(why[0] == '\0');
	check(name_len >= 1 && name_len < VM_CONFIG_NAME_MAX && only_chars(c->name, "_-", true));
	check(!strncmp(text, c->name, name_len) && text[name_len] == ':');
	size_t image_len = strnlen(c->image, VM_CONFIG_IMAGE_MAX);
	size_t kernel_len = strnlen(c->kernel, VM_CONFIG_IMAGE_MAX);
	size_t initrd_len = strnlen(c->initrd, VM_CONFIG_IMAGE_MAX);

	/* exactly one of guest=, image= and kernel= */
	check((guest_len != 0) + (image_len != 0) + (kernel_len != 0) == 1);
	check(guest_len < VM_CONFIG_GUEST_MAX && only_chars(c->guest, "_", false));
	check(image_len < VM_CONFIG_IMAGE_MAX && only_chars(c->image, "._-", true));
	check(kernel_len < VM_CONFIG_IMAGE_MAX && only_chars(c->kernel, "._-", true));
	check(initrd_len < VM_CONFIG_IMAGE_MAX && only_chars(c->initrd, "._-", true));
	check(kernel_len || (!initrd_len && !c->on_reboot_restart)); /* kernel= keys */
	check(strnlen(c->cmdline, VM_CONFIG_CMDLINE_MAX) < VM_CONFIG_CMDLINE_MAX);
	check(c->timeout_ms == 0 || (c->timeout_ms >= VM_CONFIG_TIMEOUT_MIN_MS &&
				     c->timeout_ms <= VM_CONFIG_TIMEOUT_MAX_MS));
	check(c->vcpus >= 1 && c->vcpus <= VM_CONFIG_MAX_VCPUS);
	check(c->mem_bytes >= VM_CONFIG_MEM_MIN && c->mem_bytes <= VM_CONFIG_MEM_MAX);
	check(c->mem_bytes % VM_CONFIG_MEM_ALIGN == 0);
	if (c->cpus_given)
		check(cpu_count(c) >= 1);
	else
		check(cpu_count(c) == VM_CONFIG_CPUS);
	check(c->mode == VCPU_MODE_LONG || c->mode == VCPU_MODE_PROTECTED32 ||
	      c->mode == VCPU_MODE_REAL);
	check(c->slice_us == 0 ||
	      (c->slice_us >= VM_CONFIG_SLICE_MIN_US && c->slice_us <= VM_CONFIG_SLICE_MAX_US));
	vm_config_describe(c, desc, sizeof(desc));
	check(strnlen(desc, sizeof(desc)) < sizeof(desc) && !strncmp(desc, c->name, name_len));
}

static void check_rejected(const struct vm_config *c, const char *why)
{
	size_t len = strnlen(why, VM_CONFIG_WHY_MAX);

	check(all_zero(c, sizeof(*c)));
	check(!strncmp(why, "vireo.vm=", strlen("vireo.vm=")));
	/* Not cut short: every message fits a VM_CONFIG_WHY_MAX buffer. */
	check(len < VM_CONFIG_WHY_MAX - 1);
	for (size_t i = 0; i < len; i++)
		check(why[i] >= ' ' && why[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char why[VM_CONFIG_WHY_MAX], short_why[SHORT_WHY_SPAN];
	size_t short_len = size % SHORT_WHY_SPAN;
	struct vm_config c, again;
	enum err e;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&c, 0xa5, sizeof(c));
	e = vm_config_parse(text, &c, why, sizeof(why));
	if (e == E_OK)
		check_accepted(text, &c, why);
	else
		check_rejected(&c, why);

	check(vm_config_parse(text, &again, short_why, short_len) == e);
	if (short_len) {
		check(strnlen(short_why, short_len) < short_len);
		check(!strncmp(short_why, why, strlen(short_why)));
	}
	check(!memcmp(&c, &again, sizeof(c)));
	free(text);
	return 0;
}
