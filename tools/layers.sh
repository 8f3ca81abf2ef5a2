#!/usr/bin/env bash
# The layering check: every kernel source file includes only headers of its
# own layer or of a lower one; nothing outside vmx/ includes a vmx/ header
# or names a vmx_ function or type, a VMCS field or a VMX exit reason,
# except vm/backend.c, the one place that selects the vCPU backend.
# Prints one line per violation (file, line, include, why) and exits 1 if
# there is any. Usage: tools/layers.sh [ROOT] (default: the repository).
set -u
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root" || exit 2

# Lowest first. A folder may include its own headers and those of any
# folder before it in this list, never one after it (docs/architecture.md).
LAYERS=(lib arch/x86 boot mm smp guest vmx dev loader vm sched kernel)
# Folders held to the VT-x boundary: no vmx/ include, no VT-x name; they
# reach vCPUs only through the vCPU interface (guest/vcpu.h). That is every
# folder but vmx/ itself, and vm/backend.c (below) selects the backend.
VMX_FREE=(lib arch/x86 boot mm smp guest dev loader vm sched kernel)
# The only file outside vmx/ that may include a vmx/ header, and the header.
BACKEND_SELECT=vm/backend.c
BACKEND_HEADER=vmx/backend.h

rank_of() { # PATH -> layer index, or -1 for files outside the layers
	local i
	for i in "${!LAYERS[@]}"; do
		case "$1" in "${LAYERS[$i]}"/*) echo "$i"; return ;; esac
	done
	echo -1
}

vmx_free() { # PATH -> success if PATH is in a folder held to the boundary
	local d
	for d in "${VMX_FREE[@]}"; do
		case "$1" in "$d"/*) return 0 ;; esac
	done
	return 1
}

bad=0
files=$(git ls-files -- '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' | sed 's#^\./##')
for f in $files; do
	fr=$(rank_of "$f")
	[ "$fr" -ge 0 ] || continue # tests/ and tools/ exercise every layer
	while IFS=: read -r line inc; do
		ir=$(rank_of "$inc")
		[ "$ir" -ge 0 ] || continue
		if [ "$ir" -gt "$fr" ]; then
			echo "layers: $f:$line includes \"$inc\": ${LAYERS[$fr]}/ is below ${LAYERS[$ir]}/ (order: ${LAYERS[*]})"
			bad=1
		fi
		case "$f:$inc" in
		vmx/*) ;;
		*:vmx/*) vmx_free "$f" || continue ;;&
		"$BACKEND_SELECT:$BACKEND_HEADER") ;;
		*:vmx/*)
			echo "layers: $f:$line includes \"$inc\": outside vmx/ only $BACKEND_SELECT may include a vmx/ header ($BACKEND_HEADER); use guest/vcpu.h"
			bad=1
			;;
		esac
	done < <(grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$f" |
		sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1:\2/')
done
# VT-x names outside vmx/ (string literals, such as option names, aside).
VMX_NAMES='\b(vmx_[a-z0-9_]+|VMCS_[A-Z0-9_]+|VMX_EXIT_REASON_[A-Z0-9_]+)'
for f in $files; do
	fr=$(rank_of "$f")
	[ "$fr" -ge 0 ] || continue
	case "$f" in vmx/* | "$BACKEND_SELECT") continue ;; esac
	vmx_free "$f" || continue
	while IFS=: read -r line name; do
		echo "layers: $f:$line names \"$name\": VT-x names stay in vmx/; use the vCPU interface (guest/vcpu.h)"
		bad=1
	done < <(sed -E 's/"([^"\\]|\\.)*"//g' "$f" | grep -n -oE "$VMX_NAMES" | sort -t: -u -k2,2)
done
exit $bad
