/* SPDX-License-Identifier: MIT */
/*
 * The "bench" suite (not part of vireo.test=all): runs the bench64 guest,
 * which prints ticks per exit round trip; `make bench-exit` collects them.
 */
#include "kernel/ktest.h"
#include "loader/images.h"
#include "vm/vm.h"
#include "vmx/percpu.h"

#define BENCH_MEM (4ull << 20)

KTEST(bench, exit)
{
	const struct guest_image *g = guest_image_find("bench64");
	struct vcpu *v;
	struct vm *vm = 0;

	if (!vmx_is_enabled()) {
		ktest_fail(t, "VMX is not on: the exit benchmark needs VT-x (run it under Bochs)");
		return;
	}
	KT_ASSERT(t, g && vm_create(&vm, "bench", BENCH_MEM) == E_OK, "cannot create the VM");
	KT_ASSERT(t, vm_load_image(vm, g->data, g->size) == E_OK, "cannot load bench64");
	KT_ASSERT(t, vm_add_vcpu(vm, VCPU_MODE_LONG, &v) == E_OK, "cannot create the vCPU");
	vm_run_vcpu(vm, 0);
	vm_report(vm);
	KT_EXPECT(t, vm->exited && vm->exit_status == 0, "bench64 did not finish: %s", vm->why);
	vm_destroy(vm);
}
