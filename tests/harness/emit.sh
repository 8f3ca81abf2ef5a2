# Sourced by the harness scripts: one result line, printed and appended to
# $RESULTS when set (tests/harness/summary.sh counts them).
emit() { # STATUS TEXT
	echo "$1 $2"
	[ -n "${RESULTS:-}" ] && echo "$1 $2" >>"$RESULTS"
	return 0
}
