/* SPDX-License-Identifier: MIT */
/*
 * Starting the VMs the command line describes (vireo.vm=, or the two-VM demo
 * when none is given): each description is checked, its VM built on this
 * CPU and handed to the scheduler; then all run to completion, and their
 * results and the per-vCPU statistics are printed.
 */
#include "kernel/vms.h"
#include "arch/x86/tsc.h"
#include "lib/printk.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/string.h"
#include "sched/run.h"
#include "smp/smp.h"
#include "vm/config.h"
#include "loader/images.h"
#include "vm/vm.h"

static struct vm_config configs[VM_CONFIG_MAX];
static struct vm *started[VM_CONFIG_MAX];
static const struct mb2_module *modules;
static unsigned module_count;

void vms_set_modules(const struct mb2_module *mods, unsigned n)
{
	modules = mods;
	module_count = n;
}

/* Does the module string's first word (or its last path part) equal name?
 * *rest points at the text after that word: the guest's default cmdline. */
static bool module_is(const struct mb2_module *m, const char *name, const char **rest)
{
	const char *s = m->cmdline ? m->cmdline : "", *end, *base;

	while (*s == ' ')
		s++;
	end = s;
	while (*end && *end != ' ')
		end++;
	base = end;
	while (base > s && base[-1] != '/')
		base--;
	*rest = *end ? end + 1 : end;
	return ((size_t)(end - s) == strlen(name) && !strncmp(s, name, end - s)) ||
	       ((size_t)(end - base) == strlen(name) && !strncmp(base, name, end - base));
}

static const struct mb2_module *find_module(const struct vm_config *c, const char *name,
					    const char **rest)
{
	for (unsigned i = 0; i < module_count; i++) {
		if (module_is(&modules[i], name, rest))
			return &modules[i];
	}
	pr_err("vms: %s: no GRUB module named '%s' (%u modules loaded; add "
	       "'module2 /guests/%s %s' to grub.cfg or build with make iso GUESTS=...) "
	       "(not started)\n",
	       c->name, name, module_count, name, name);
	return 0;
}

/* A VM whose build failed is freed, with the reason. */
static enum err built(const struct vm_config *c, struct vm **out, enum err e)
{
	if (e != E_OK && *out) {
		vm_destroy(*out);
		*out = 0;
	}
	if (e != E_OK)
		pr_err("vms: %s: could not be built: %s (not started)\n", c->name, err_text(e));
	return e;
}

static enum err build_kernel_vm(const struct vm_config *c, struct vm **out)
{
	struct vm_module mods[VM_CONFIG_MODULES];
	const char *rest = "", *unused;
	const struct mb2_module *m = find_module(c, c->image, &rest);
	enum err e;

	if (!m)
		return E_NOENT;
	for (unsigned i = 0; i < c->module_count; i++) {
		const struct mb2_module *g = find_module(c, c->modules[i], &unused);

		if (!g)
			return E_NOENT;
		mods[i] = (struct vm_module){phys_to_virt(g->start), g->end - g->start,
					     g->cmdline ? g->cmdline : c->modules[i]};
	}
	e = vm_create(out, c->name, c->mem_bytes);
	if (e == E_OK)
		(*out)->unbacked_stop = c->unbacked_stop;
	if (e == E_OK)
		e = vm_load_kernel(*out, phys_to_virt(m->start), m->end - m->start,
				   c->cmdline[0] ? c->cmdline : rest, c->vcpus, mods,
				   c->module_count);
	return built(c, out, e);
}

static enum err build_linux_vm(const struct vm_config *c, struct vm **out)
{
	const char *rest = "", *unused;
	const struct mb2_module *k = find_module(c, c->kernel, &rest);
	const struct mb2_module *i = c->initrd[0] ? find_module(c, c->initrd, &unused) : 0;
	struct vm_linux_boot b = {0};
	enum err e;

	if (!k || (c->initrd[0] && !i))
		return E_NOENT;
	b.kernel = phys_to_virt(k->start);
	b.kernel_len = k->end - k->start;
	if (i) {
		b.initrd = phys_to_virt(i->start);
		b.initrd_len = i->end - i->start;
	}
	b.cmdline = c->cmdline[0] ? c->cmdline : rest;
	e = vm_create(out, c->name, c->mem_bytes);
	if (e == E_OK) {
		(*out)->unbacked_stop = c->unbacked_stop;
		(*out)->on_reboot_restart = c->on_reboot_restart;
		e = vm_load_linux(*out, &b, c->vcpus);
	}
	return built(c, out, e);
}

static enum err build_vm(const struct vm_config *c, struct vm **out)
{
	const struct guest_image *g;
	struct vcpu *v;
	enum err e;

	if (c->image[0])
		return build_kernel_vm(c, out);
	if (c->kernel[0])
		return build_linux_vm(c, out);
	g = guest_image_find(c->guest);
	if (!g) {
		pr_err("vms: %s: no built-in guest '%s' (not started)\n", c->name, c->guest);
		return E_NOENT;
	}
	e = vm_create(out, c->name, c->mem_bytes);
	if (e == E_OK)
		e = vm_load_image(*out, g->data, g->size);
	for (unsigned i = 0; i < c->vcpus && e == E_OK; i++)
		e = vm_add_vcpu(*out, (enum vcpu_mode)c->mode, &v);
	if (e != E_OK) {
		pr_err("vms: %s: could not be built: %s (not started)\n", c->name, err_text(e));
		if (*out)
			vm_destroy(*out);
		*out = 0;
	}
	return e;
}

static enum err start_one(const struct vm_config *c, struct vm **out)
{
	struct cpumask allowed, usable = {0};
	char desc[VM_CONFIG_DESCRIBE_MAX];
	enum err e;

	for (unsigned i = 0; i < smp_num_cpus(); i++) {
		if (vcpu_backend_cpu_usable(i))
			cpumask_set(&usable, i);
	}
	memcpy(allowed.bits, c->cpus.bits, sizeof(allowed.bits));
	if (!cpumask_and(&allowed, &allowed, &usable)) {
		pr_err("vms: %s: none of its cpus= CPUs is online with VMX on (not started); "
		       "see the VMX table above\n",
		       c->name);
		return E_INVAL;
	}
	e = build_vm(c, out);
	if (e == E_OK)
		e = sched_vm_start(*out, &allowed);
	if (e == E_OK && c->timeout_ms)
		(*out)->timeout_us = c->timeout_ms * 1000;
	if (e == E_OK && c->input)
		sched_set_console_vm(*out);
	if (e == E_OK && c->slice_us)
		sched_vm_set_slice(*out, c->slice_us);
	if (e == E_OK) {
		vm_config_describe(c, desc, sizeof(desc));
		pr_info("vms: started %s\n", desc);
	}
	return e;
}

unsigned vms_run(const char *const *texts, unsigned n, uint64_t slice_us)
{
	unsigned count = 0;
	char why[VM_CONFIG_WHY_MAX];

	if (!n)
		return 0;
	/* VMs are built on this CPU (their VMCSs start active here). */
	if (!vcpu_backend_enabled_here()) {
		pr_err("vms: cannot start VMs: VMX is off on the boot CPU, where VMs are built "
		       "(%s)%s\n",
		       vcpu_backend_unavailable_reason() ? vcpu_backend_unavailable_reason()
							 : "VMX is off",
		       vcpu_backend_cpus_usable() ? "; the other CPUs with VMX on stay idle" : "");
		return 0;
	}
	sched_run_init(slice_us);
	for (unsigned i = 0; i < n && i < VM_CONFIG_MAX; i++) {
		if (vm_config_parse(texts[i], &configs[count], why, sizeof(why)) != E_OK) {
			pr_err("vms: %s; that VM is not started\n", why);
			continue;
		}
		if (start_one(&configs[count], &started[count]) == E_OK)
			count++;
	}
	if (!count)
		return 0;
	sched_run(0);
	sched_set_console_vm(0);
	for (unsigned i = 0; i < count; i++)
		vm_report(started[i]);
	sched_stats_print();
	for (unsigned i = 0; i < count; i++)
		sched_vm_release(started[i]);
	return count;
}

unsigned vms_run_demo(uint64_t slice_us)
{
	static char a[64], b[64];
	const char *texts[2] = {a, b};
	unsigned vcpus = smp_num_online() + 1;

	fmt_snprintf(a, sizeof(a), "demo1:guest=spin64,vcpus=%u", vcpus);
	fmt_snprintf(b, sizeof(b), "demo2:guest=spin64,vcpus=%u", vcpus);
	pr_info("vms: no vireo.vm= given: running the demo, two VMs of %u vCPUs each on %u CPUs\n",
		vcpus, smp_num_online());
	return vms_run(texts, 2, slice_us);
}
