#!/bin/sh
# /init of the Linux guest initramfs (packed by tools/mkinitramfs.sh beside a
# static busybox). POSIX sh for busybox ash. It mounts /proc, /sys and /dev,
# installs the busybox applets, then acts on the kernel command line:
#   no vireo.test=       a one-line banner, then an interactive shell on the
#                        console with job control; power off when it exits
#   vireo.test=1         KTAP checks of the platform (vireo.ncpus=N and
#                        vireo.host_epoch=SECONDS give the expected values),
#                        then every dmesg line a harness compares with bare
#                        hardware, prefixed "vireo-dmesg: "; then power off
#   vireo.test=reboot    the first boot sets the RTC alarm to 12:34:56
#                        (battery-backed CMOS: a reset keeps it) and
#                        reboots; a boot that finds it says so and runs the
#                        checks of vireo.test=1
# The last of an option given twice counts, as for the kernel's own options.
#   vireo.sample=S       seconds the checks watch the timer interrupts and
#                        wait for the tsc clocksource (default 1)
# Every line it prints starts with "vireo-init: " except the KTAP and
# "vireo-dmesg: " lines; the first is "vireo-init: started".

echo "vireo-init: started"

PATH=/bin:/sbin:/usr/bin:/usr/sbin
HOME=/root
export PATH HOME

# dmesg lines a guest should not print unless bare hardware prints them too.
DMESG_PATTERN='BUG:|WARNING:|Call Trace|unchecked MSR access|Firmware Bug|TSC.*unstable|soft lockup|rcu.*stall'
# An RTC more than a day away from the host's clock fails the RTC check.
RTC_TOLERANCE_S=86400
# How long the timer interrupt counts are watched, and the longest wait for
# the tsc clocksource (vireo.sample= overrides it).
SAMPLE_S_DEFAULT=1
# Polling step while waiting for the clocksource.
POLL_S=0.1
CHECK_COUNT=6
CLOCKSOURCE=/sys/devices/system/clocksource/clocksource0/current_clocksource
RTC_EPOCH=/sys/class/rtc/rtc0/since_epoch
# What init sleeps for when it cannot power off: init must never exit.
FOREVER_S=2147483647
# Field of /proc/PID/stat holding the CPU the task last ran on (proc(5)).
STAT_CPU_FIELD=39

setup() {
	/bin/busybox mkdir -p /proc /sys /dev /tmp /root /usr/bin /usr/sbin /sbin
	/bin/busybox mount -t proc proc /proc
	/bin/busybox mount -t sysfs sysfs /sys
	/bin/busybox mount -t devtmpfs devtmpfs /dev
	/bin/busybox --install -s
	hostname vireo-guest
}

# Prints the value of KEY=VALUE on the kernel command line; fails without it.
cmdline_value() { # the last NAME=value wins, as for the kernel's own options
	found=1
	# shellcheck disable=SC2013 # the command line is one line of words
	for word in $(cat /proc/cmdline); do
		case "$word" in
		"$1="*)
			value=${word#*=}
			found=0
			;;
		esac
	done
	[ "$found" -eq 0 ] && echo "$value"
	return "$found"
}

# Waits until the console has sent everything written to it: poweroff -f
# and reboot -f do not, and the last lines would be lost. busybox stty sets
# the terminal with TCSADRAIN, which waits for the UART to empty.
drain_console() {
	stty "$(stty -g </dev/console)" </dev/console 2>/dev/null
}

power_off() {
	echo "vireo-init: powering off"
	drain_console
	poweroff -f
	echo "vireo-init: poweroff -f failed; halting"
	exec sleep "$FOREVER_S"
}

interactive() {
	echo "vireo-init: Linux $(uname -r) on $(nproc) CPUs; busybox shell on the console ('exit' powers off)"
	PS1='\h:\w# '
	export PS1
	# cttyhack opens the real console device (ttyS0) so the shell gets a
	# controlling terminal and job control; setsid makes it a session leader.
	setsid cttyhack sh
	power_off
}

# KTAP result line: $1 = the check's status, $2 = its name; the reason for a
# failure is in $why.
ktap_n=0
ktap_result() {
	ktap_n=$((ktap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ktap_n $2"
	else
		echo "not ok $ktap_n $2 # $why"
	fi
}

check_cpus_online() {
	want=$(cmdline_value vireo.ncpus) || {
		why="vireo.ncpus= is missing from the kernel command line"
		return 1
	}
	have=$(nproc)
	[ "$have" = "$want" ] && return 0
	why="nproc says $have, vireo.ncpus=$want (online: $(cat /sys/devices/system/cpu/online))"
	return 1
}

check_hypervisor_flag() {
	grep -qE '^flags.* hypervisor( |$)' /proc/cpuinfo && return 0
	why="no hypervisor flag in /proc/cpuinfo"
	return 1
}

# Without a known TSC frequency (CPUID 0x15 ECX) Linux starts on tsc-early
# and registers tsc after refining its calibration a second later.
check_clocksource() {
	waited=0
	cs=$(cat "$CLOCKSOURCE" 2>/dev/null)
	while [ "$cs" = tsc-early ] && [ "$(echo "$waited < $SAMPLE_S" | bc)" = 1 ]; do
		sleep "$POLL_S"
		waited=$(echo "$waited + $POLL_S" | bc)
		cs=$(cat "$CLOCKSOURCE" 2>/dev/null)
	done
	[ "$cs" = tsc ] && return 0
	dmesg | grep -iE 'tsc|clocksource' | sed 's/^/# /'
	why="clocksource is '$cs' (available: $(cat "${CLOCKSOURCE%/*}/available_clocksource" 2>/dev/null))"
	return 1
}

# The local timer counts of /proc/interrupts, one per online CPU.
timer_counts() {
	awk '$1 == "LOC:" { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) printf "%s ", $i }' \
		/proc/interrupts
}

# A task pinned to each CPU sleeps for the sample: its timer expires on that
# CPU, so even an idle tickless CPU must take a local timer interrupt. (A
# busy loop would also do, but is slow where the TSC rate the guest believes
# is far above the emulator's, as on bare Bochs.)
check_timer_irqs() {
	before=$(timer_counts)
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		taskset -c "$cpu" sleep "$SAMPLE_S" &
	done
	wait
	after=$(timer_counts)
	why=$(awk -v a="$before" -v b="$after" 'BEGIN {
		n = split(a, x); m = split(b, y)
		if (n == 0 || n != m) { print "no LOC line for every CPU in /proc/interrupts"; exit }
		for (i = 1; i <= n; i++)
			if (y[i] + 0 <= x[i] + 0) printf "CPU%d stayed at %s; ", i - 1, x[i]
	}')
	[ -z "$why" ]
}

check_rtc() {
	host=$(cmdline_value vireo.host_epoch) || {
		why="vireo.host_epoch= is missing from the kernel command line"
		return 1
	}
	rtc=$(cat "$RTC_EPOCH" 2>/dev/null) || {
		why="no $RTC_EPOCH (no RTC driver bound)"
		return 1
	}
	delta=$((rtc - host))
	[ "$delta" -lt 0 ] && delta=$((-delta))
	[ "$delta" -le "$RTC_TOLERANCE_S" ] && return 0
	why="RTC says $rtc s since the epoch, the host $host ($delta s apart)"
	return 1
}

# Runs a program pinned to each CPU; it reports the CPU it ran on.
check_every_cpu() {
	why=
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		ran=$(taskset -c "$cpu" cat /proc/self/stat | cut -d' ' -f"$STAT_CPU_FIELD")
		[ "$ran" = "$cpu" ] || why="${why}pinned to CPU$cpu, ran on '$ran'; "
	done
	[ -z "$why" ]
}

print_dmesg() {
	dmesg | sed 's/^\[[ 0-9.]*\] *//' | grep -E "$DMESG_PATTERN" | sed 's/^/vireo-dmesg: /'
}

run_checks() {
	SAMPLE_S=$(cmdline_value vireo.sample) || SAMPLE_S=$SAMPLE_S_DEFAULT
	case "$SAMPLE_S" in
	'' | *[!0-9.]* | *.*.*)
		echo "vireo-init: vireo.sample=$SAMPLE_S is not a number of seconds; using $SAMPLE_S_DEFAULT"
		SAMPLE_S=$SAMPLE_S_DEFAULT
		;;
	esac
	echo "KTAP version 1"
	echo "1..$CHECK_COUNT"
	check_cpus_online
	ktap_result $? cpus_online
	check_hypervisor_flag
	ktap_result $? hypervisor_flag
	check_clocksource
	ktap_result $? clocksource_tsc
	check_timer_irqs
	ktap_result $? timer_irqs_every_cpu
	check_rtc
	ktap_result $? rtc_date
	check_every_cpu
	ktap_result $? user_program_every_cpu
	print_dmesg
	echo "vireo-init: checks done"
	power_off
}

# The mark a first boot leaves for the next: the RTC alarm time, kept in the
# battery-backed CMOS across a reset. Linux disables the alarm interrupt when
# it probes the RTC, but still reports the alarm's time of day in
# /proc/driver/rtc, so the mark is a time of day the CMOS never starts with.
RTC_ALARM=/sys/class/rtc/rtc0/wakealarm
RTC_PROC=/proc/driver/rtc
REBOOT_MARK=12:34:56
REBOOT_MARK_S=45296 # 12:34:56 in seconds after midnight (UTC, as the RTC keeps it)
DAY_S=86400

reboot_test() {
	if grep -q "^alrm_time[[:space:]]*: $REBOOT_MARK" "$RTC_PROC" 2>/dev/null; then
		echo "vireo-init: second boot: the RTC alarm set before the reset is still there"
		run_checks
	fi
	now=$(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null) || now=
	mark=
	[ -n "$now" ] && mark=$((now - now % DAY_S + REBOOT_MARK_S))
	[ -n "$mark" ] && [ "$mark" -le "$now" ] && mark=$((mark + DAY_S))
	if [ -z "$mark" ] || ! echo "$mark" >"$RTC_ALARM"; then
		echo "vireo-init: cannot set the RTC alarm ($RTC_ALARM): no reboot test"
		power_off
	fi
	echo "vireo-init: first boot: RTC alarm set to $REBOOT_MARK, rebooting"
	drain_console
	reboot -f
}

setup
mode=$(cmdline_value vireo.test) || mode=
case "$mode" in
"")
	interactive
	;;
1)
	run_checks
	;;
reboot)
	reboot_test
	;;
*)
	echo "vireo-init: unknown vireo.test=$mode (use vireo.test=1 or vireo.test=reboot)"
	power_off
	;;
esac
