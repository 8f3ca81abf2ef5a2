#!/usr/bin/env bash
# Extracts the "vireo-dmesg: " lines the Linux guest's /init prints
# (tools/linux/init.sh) from a serial log, normalised so that two boots of
# the same kernel compare equal: carriage returns, kernel timestamps and
# addresses (hex numbers of 8 digits or more) are replaced, and the list is
# sorted with duplicates removed. Text before "vireo-dmesg: " on a line (a
# console prefix) is dropped.
# usage: linux-dmesg.sh LOG              print the normalised list
#        linux-dmesg.sh LOG BARE_LIST    print the lines not in BARE_LIST
#                                        (a list printed by the first form);
#                                        exit status 1 when there are any
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: linux-dmesg.sh LOG [BARE_LIST]" >&2
	exit 2
fi
log=$1
[ -r "$log" ] || {
	echo "linux-dmesg: cannot read the log $log" >&2
	exit 2
}

normalised() {
	grep -ao 'vireo-dmesg: .*' "$log" | sed -E \
		-e 's/\r//g' \
		-e 's/\[ *[0-9]+\.[0-9]+\] ?//g' \
		-e 's/\b(0x)?[0-9a-fA-F]{8,}\b/ADDR/g' |
		LC_ALL=C sort -u
}

if [ $# -eq 1 ]; then
	normalised
	exit 0
fi
bare=$2
[ -r "$bare" ] || {
	echo "linux-dmesg: cannot read the bare-hardware list $bare (make it with tests/harness/linux-bare.sh)" >&2
	exit 2
}
extra=$(normalised | LC_ALL=C comm -23 - <(LC_ALL=C sort -u "$bare"))
[ -z "$extra" ] && exit 0
echo "$extra"
exit 1
