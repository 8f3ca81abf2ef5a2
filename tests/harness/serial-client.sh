#!/usr/bin/env bash
# The other end of a Bochs COM1 in socket-server mode: appends everything the
# guest machine sends to LOG and, once LOG matches REGEX, sends TEXT and a
# carriage return, as a person typing on the serial console would. TEXT may
# hold printf %b escapes: \x01 is Ctrl-A (Vireo's console escape).
# usage: serial-client.sh PORT LOG "REGEX=>TEXT" TIMEOUT_SECONDS
set -u
port=$1 log=$2 spec=$3 timeout_s=$4
regex=${spec%%=>*} text=${spec#*=>}
for _ in $(seq 200); do
	{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break
	sleep 0.1
done
{ true >&3; } 2>/dev/null || { echo "serial-client: no COM1 server on port $port" >>"$log"; exit 1; }
cat <&3 >>"$log" &
reader=$!
end=$((SECONDS + timeout_s))
until grep -qE -- "$regex" "$log" 2>/dev/null; do
	[ "$SECONDS" -ge "$end" ] && { kill "$reader" 2>/dev/null; exit 1; }
	kill -0 "$reader" 2>/dev/null || exit 1
	sleep 0.05
done
printf '%b\r' "$text" >&3
wait "$reader"
