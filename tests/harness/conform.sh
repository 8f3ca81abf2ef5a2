#!/usr/bin/env bash
# The differential conformance suite (docs/test-kernels.md): runs the
# conformance kernel build/guests/conform.elf directly on Bochs (GRUB boots
# it: the bare CPU, the reference) and as a Vireo guest (vcpus = the Bochs
# CPU count) on the same Bochs CPU model, then compares the runs: both must
# reach "conform: end" with their KTAP checks passing, every fact key must
# be in both, and every value must be equal unless the key is listed in
# tests/conformance/differences.txt (KEY-REGEX MASK|any REASON; with a hex
# MASK, bare XOR Vireo must lie within it). At most two Bochs runs at once.
# Prints one PASS/FAIL line per configuration (appended to $RESULTS when
# set), one line per difference, and the numbers of facts and checks.
# usage: conform.sh [MODEL [CPUS...]]   (default: corei7_skylake_x 1 2)
# CONFORM_REUSE=1 compares the logs of the previous run without booting.
# CONFORM_VERBOSE=1 also prints each documented difference with its reason.
set -u
model=${1:-corei7_skylake_x}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then cpu_list=("$@"); else cpu_list=(1 2); fi
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build}
[ "${build#/}" = "$build" ] && build=$here/$build
kernel=$build/guests/conform.elf
vireo=$build/vireo.elf
diffs=$here/tests/conformance/differences.txt
logdir=$build/logs/conform
timeout_s=${TIMEOUT:-240}
MAX_JOBS=2
VM=t
. "$here/tests/harness/emit.sh"

for f in "$kernel" "$vireo" "$diffs"; do
	if [ ! -s "$f" ]; then
		emit FAIL "conform/$model ($f does not exist: run make and make guest-kernels)"
		exit 1
	fi
done
mkdir -p "$logdir" "$build/iso"
start=$(date +%s)

# ---- the runs -----------------------------------------------------------------
bare_iso=$build/iso/conform-bare.iso
vireo_iso() { echo "$build/iso/conform-vireo-$1.iso"; }
vireo_cmdline() { echo "vireo.on_done=poweroff vireo.vm=\"$VM:image=conform.elf,vcpus=$1,mem=32M\""; }

build_isos() {
	if [ ! -s "$bare_iso" ] || [ "$bare_iso" -ot "$kernel" ]; then
		bash "$here/tools/mkiso.sh" "$kernel" "$bare_iso" "" 0 || return 1
	fi
	local n iso
	for n in "${cpu_list[@]}"; do
		iso=$(vireo_iso "$n")
		if [ ! -s "$iso" ] || [ "$iso" -ot "$kernel" ] || [ "$iso" -ot "$vireo" ]; then
			bash "$here/tools/mkiso.sh" "$vireo" "$iso" "$(vireo_cmdline "$n")" 0 "$kernel" ||
				return 1
		fi
	done
}

run_one() { # KIND CPUS: boot one ISO; the log is $logdir/MODEL-KIND-NcpuS.log
	local kind=$1 n=$2 iso=$bare_iso log
	[ "$kind" = vireo ] && iso=$(vireo_iso "$n")
	log=$logdir/$model-$kind-${n}cpu.log
	# Both runs with Bochs' ignore_bad_msrs off: by default it reads every
	# MSR it does not model as 0 and ignores writes, where a CPU raises #GP.
	BOCHS_CPU_EXTRA="ignore_bad_msrs=0" \
		bash "$here/tests/harness/emu.sh" "bochs@$model" "$n" "$iso" "$log" "$timeout_s"
	echo $? >"$log.rc"
	tr -d '\r' <"$log" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' >"$log.txt" && mv "$log.txt" "$log"
}

run_all() {
	local n kind
	for n in "${cpu_list[@]}"; do
		for kind in bare vireo; do
			while [ "$(jobs -rp | wc -l)" -ge "$MAX_JOBS" ]; do
				wait -n
			done
			run_one "$kind" "$n" &
		done
	done
	wait
}

if [ -z "${CONFORM_REUSE:-}" ]; then
	if ! build_isos; then
		emit FAIL "conform/$model (could not build the ISOs)"
		exit 1
	fi
	run_all
fi

# ---- judging and comparing ------------------------------------------------------
# The kernel's own lines of a run: as printed bare, without "[t] " under Vireo.
own_lines() { # KIND LOG
	if [ "$1" = vireo ]; then sed -n "s/^\[$VM\] //p" "$2"; else cat "$2"; fi
}

# Empty when the run reached its end with every KTAP check passing; else why.
run_problem() { # KIND LOG
	local lines plan seen bad
	lines=$(own_lines "$1" "$2")
	if ! grep -q '^conform: end$' <<<"$lines"; then
		echo "did not reach 'conform: end' (last: $(grep -v '^conform: fact' <<<"$lines" |
			tail -1 | cut -c1-100); rc $(cat "$2.rc" 2>/dev/null))"
		return
	fi
	plan=$(grep -oE '^1\.\.[0-9]+$' <<<"$lines" | head -1 | cut -c4-)
	seen=$(grep -cE '^(not )?ok [0-9]+ ' <<<"$lines")
	bad=$(grep -E '^not ok ' <<<"$lines" | reference_bugs_out "$1")
	if grep -qE '^\.\.\. [0-9]+ bytes of console output dropped' <<<"$lines"; then
		echo "lost console output: $(grep -m1 -E '^\.\.\. [0-9]+ bytes' <<<"$lines")"
	elif [ -z "$plan" ]; then
		echo "printed no KTAP plan"
	elif [ "$seen" -ne "$plan" ]; then
		echo "planned $plan checks but reported $seen"
	elif [ -n "$bad" ]; then
		echo "$(grep -c . <<<"$bad") checks failed: $(head -3 <<<"$bad" | tr '\n' ';')"
	fi
}

# Drop the bare run's failed checks that differences.txt lists as faults of
# the reference itself (entries "bare-check:NAME-REGEX any REASON").
reference_bugs_out() { # KIND: filter "not ok" lines on stdin
	local line i
	while IFS= read -r line; do
		if [ "$1" = bare ]; then
			for i in "${!d_re[@]}"; do
				[[ "${d_re[$i]}" == bare-check:* ]] || continue
				[[ "$line" =~ ^not\ ok\ [0-9]+\ -\ (${d_re[$i]#bare-check:}) ]] && continue 2
			done
		fi
		echo "$line"
	done
}

declare -a d_re d_mask d_why
load_differences() {
	local re mask why
	while read -r re mask why; do
		case "$re" in '' | '#'*) continue ;; esac
		if [ -z "$why" ] || ! [[ "$mask" =~ ^(any|0x[0-9a-fA-F]+)$ ]]; then
			echo "conform: $diffs: bad entry '$re $mask $why' (want KEY-REGEX MASK|any REASON)" >&2
			return 1
		fi
		d_re+=("$re") d_mask+=("$mask") d_why+=("$why")
	done <"$diffs"
}

# The reason of the first entry that allows bare value B and Vireo value V
# for KEY (exit status 1 if none does).
documented() { # KEY B V
	local i x
	for i in "${!d_re[@]}"; do
		[[ "$1" =~ ^(${d_re[$i]})$ ]] || continue
		if [ "${d_mask[$i]}" = any ]; then
			echo "${d_why[$i]}"
			return 0
		fi
		[[ "$2" =~ ^[0-9a-fA-F]+$ && "$3" =~ ^[0-9a-fA-F]+$ ]] || continue
		x=$(((16#$2 ^ 16#$3) & ~${d_mask[$i]}))
		if [ "$x" -eq 0 ]; then
			echo "${d_why[$i]}"
			return 0
		fi
	done
	return 1
}

# The facts of a run, one "KEY VALUE" a line: the pairs of its "conform:
# facts K=V ..." lines, a CPUID fact [cpuN.]cpuid.L.S=A,B,C,D split into the
# keys [cpuN.]cpuid.L.S.eax ... .edx.
facts_of() { # KIND LOG
	own_lines "$1" "$2" | sed -n 's/^conform: facts //p' | tr ' ' '\n' | awk -F= '
		NF < 2 { next }
		$1 ~ /(^|\.)cpuid\.[0-9a-f]+\.[0-9a-f]+$/ { split($2, r, ","); print $1 ".eax", r[1]; print $1 ".ebx", r[2];
			print $1 ".ecx", r[3]; print $1 ".edx", r[4]; next }
		{ print $1, substr($0, length($1) + 2) }'
}

# One line per differing key, then "COUNTS KEYS UNDOCUMENTED DOCUMENTED".
compare() { # CPUS
	local n=$1 k v b why n_facts n_undoc n_doc
	declare -A bare vir
	while read -r k v; do bare[$k]=$v; done < <(facts_of bare "$logdir/$model-bare-${n}cpu.log")
	while read -r k v; do vir[$k]=$v; done < <(facts_of vireo "$logdir/$model-vireo-${n}cpu.log")
	n_facts=0 n_undoc=0 n_doc=0
	for k in $(printf '%s\n' "${!bare[@]}" "${!vir[@]}" | sort -u); do
		n_facts=$((n_facts + 1))
		b=${bare[$k]-(missing)} v=${vir[$k]-(missing)}
		if [ "$b" != "$v" ]; then
			# a key only one side has is allowed by an "any" entry only
			if why=$(documented "$k" "$b" "$v"); then
				echo "  documented $k: bare $b, vireo $v ($why)"
				n_doc=$((n_doc + 1))
			else
				echo "  DIFF $k: bare $b, vireo $v"
				n_undoc=$((n_undoc + 1))
			fi
		fi
	done
	echo "COUNTS $n_facts $n_undoc $n_doc"
}

load_differences || {
	emit FAIL "conform/$model (bad differences file $diffs)"
	exit 1
}
checks_of() { # KIND LOG: the number of KTAP checks the run reported
	own_lines "$1" "$2" | grep -cE '^(not )?ok [0-9]+ '
}

status=0
for n in "${cpu_list[@]}"; do
	name="conform/$model/${n}cpu"
	bare_log=$logdir/$model-bare-${n}cpu.log vireo_log=$logdir/$model-vireo-${n}cpu.log
	compare "$n" >"$logdir/$model-${n}cpu.diff"
	read -r _ n_facts n_undoc n_doc < <(tail -1 "$logdir/$model-${n}cpu.diff")
	# Undocumented differences always; documented ones with CONFORM_VERBOSE=1
	# (all are in the .diff file).
	sed '$d' "$logdir/$model-${n}cpu.diff" | { [ -n "${CONFORM_VERBOSE:-}" ] && cat || grep -v '^  documented' || true; }
	problems=""
	p=$(run_problem bare "$bare_log")
	[ -n "$p" ] && problems+="bare run $p; "
	p=$(run_problem vireo "$vireo_log")
	[ -n "$p" ] && problems+="Vireo run $p; "
	[ "$n_undoc" -gt 0 ] && problems+="$n_undoc undocumented differences; "
	counts="$n_facts facts compared, $n_doc documented differences, checks: bare $(checks_of bare \
		"$bare_log"), Vireo $(checks_of vireo "$vireo_log")"
	if [ -n "$problems" ]; then
		emit FAIL "$name (${problems%; }; $counts; logs: $logdir/$model-*-${n}cpu.log)"
		status=1
	else
		emit PASS "$name ($counts)"
	fi
done
echo "conform: $model took $(($(date +%s) - start))s"
exit $status
