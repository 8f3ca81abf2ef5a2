#!/usr/bin/env bash
# Emits NASM source for the kernel symbol table used by stack traces:
# sorted function addresses and their names. `--verify A B` checks that two
# link passes agree on every text symbol (the table itself is linked last).
set -euo pipefail

text_syms() {
	nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ { print $1, $3 }'
}

if [ "${1:-}" = "--verify" ]; then
	if ! diff <(text_syms "$2") <(text_syms "$3") >/dev/null; then
		echo "ksyms: text symbols moved between link passes" >&2
		exit 1
	fi
	exit 0
fi

elf=$1
echo "section .ksyms progbits alloc noexec nowrite align=8"
echo "global ksyms_count"
echo "global ksyms_table"
echo "global ksyms_names"
if [ "$elf" = /dev/null ]; then
	echo "ksyms_count: dq 0"
	echo "ksyms_table:"
	echo "ksyms_names: db 0"
	exit 0
fi
text_syms "$elf" | awk '
{ addr[NR] = $1; name[NR] = $2 }
END {
	printf "ksyms_count: dq %d\n", NR
	printf "ksyms_table:\n"
	off = 0
	for (i = 1; i <= NR; i++) {
		printf "\tdq 0x%s\n\tdd %d, 0\n", addr[i], off
		off += length(name[i]) + 1
	}
	printf "ksyms_names:\n"
	for (i = 1; i <= NR; i++)
		printf "\tdb \"%s\", 0\n", name[i]
}'
