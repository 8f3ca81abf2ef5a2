# Sourced by check.sh and guest.sh: the part every boot case shares.
#   emit STATUS TEXT        print a result line (and append it to $RESULTS)
#   boot_iso ISO CMDLINE TIMEOUT [MODULE...]
#                           (re)build ISO when older than the kernel or a
#                           module, boot it under $emu with $cpus into $log,
#                           strip CRs; sets rc and secs. A missing KVM is a
#                           SKIP, a timeout a FAIL: both exit the caller.
# Needs here, elf, emu, cpus, log and name set by the caller.

. "$(dirname "${BASH_SOURCE[0]}")/emit.sh"

boot_iso() { # ISO CMDLINE TIMEOUT [MODULE...]
	local iso=$1 cmdline=$2 timeout_s=$3 newest=$elf start m
	shift 3
	for m in "$@"; do [ "$m" -nt "$newest" ] && newest=$m; done
	if [ ! -s "$iso" ] || [ "$iso" -ot "$newest" ]; then
		bash "$here/tools/mkiso.sh" "$elf" "$iso" "$cmdline" 0 "$@" || {
			emit FAIL "$name (could not build the ISO)"
			exit 1
		}
	fi
	start=$(date +%s.%N)
	if [ -n "${HANG_OK:-}" ]; then # the halt is expected: no "terminating" noise
		bash "$here/tests/harness/emu.sh" "$emu" "$cpus" "$iso" "$log" "$timeout_s" 2>/dev/null
	else
		bash "$here/tests/harness/emu.sh" "$emu" "$cpus" "$iso" "$log" "$timeout_s"
	fi
	rc=$?
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	tr -d '\r' <"$log" >"$log.txt" && mv "$log.txt" "$log"
	if [ "$rc" -eq 125 ] && [ "$emu" = kvm ]; then
		emit SKIP "$name ($(head -1 "$log"))"
		exit 77 # not run: not a pass (make check fails; make test-kvm allows it)
	fi
	if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && [ -z "${HANG_OK:-}" ]; then
		emit FAIL "$name (timeout after ${timeout_s}s; log: $log)"
		exit 1
	fi
}
