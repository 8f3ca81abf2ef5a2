#!/usr/bin/env bash
# The layering check in make test: tools/layers.sh passes on this tree, and
# fails, naming the file and the include or name, on a copy with an upward
# include, vmx/ includes and VT-x function names planted outside vmx/ (in
# dev/, loader/, sched/ and vm/; vm/backend.c alone may name VT-x), so the
# check itself is shown to work.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rc=0

if out=$(bash "$root/tools/layers.sh" "$root" 2>&1); then
	emit PASS "layers/tree (every include points down the layer order)"
else
	emit FAIL "layers/tree"
	echo "$out" | head -20 | sed 's/^/    /'
	rc=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive HEAD | tar -x -C "$tmp"
printf '#include "kernel/vms.h"\n' >>"$tmp/mm/pmm.c"
printf '#include "vmx/vcpu.h"\n' >>"$tmp/dev/vuart.c"
printf 'void planted(void) { vmx_vcpu_run(0); }\n' >>"$tmp/loader/loader.c"
printf '#include "vmx/backend.h"\n' >>"$tmp/sched/run.c"
printf 'void planted2(void) { vmx_vcpu_run(0); }\n' >>"$tmp/vm/vm.c"
out=$(bash "$root/tools/layers.sh" "$tmp" 2>&1)
status=$?
if [ $status -eq 1 ] && grep -q '^layers: mm/pmm.c:[0-9]* includes "kernel/vms.h": mm/ is below kernel/' <<<"$out" &&
	grep -q '^layers: dev/vuart.c:[0-9]* includes "vmx/vcpu.h": outside vmx/' <<<"$out" &&
	grep -q '^layers: loader/loader.c:[0-9]* names "vmx_vcpu_run"' <<<"$out" &&
	grep -q '^layers: sched/run.c:[0-9]* includes "vmx/backend.h": outside vmx/' <<<"$out" &&
	grep -q '^layers: vm/vm.c:[0-9]* names "vmx_vcpu_run"' <<<"$out" &&
	! grep -q '^layers: vm/backend.c' <<<"$out"; then
	emit PASS "layers/planted (an upward include, a vmx/ include and a vmx_ call outside vmx/ are refused by name)"
else
	emit FAIL "layers/planted (status $status)"
	echo "$out" | head -10 | sed 's/^/    /'
	rc=1
fi
exit $rc
