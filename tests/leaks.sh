#!/bin/sh
# Runs pipelines with every sharpmeter feature under GStreamer's leaks tracer and fails when
# any GstObject or mini object is still alive at exit. First proves that the check sees a
# leak: a program that keeps a buffer and an element past gst_deinit must be reported.
# Usage: tests/leaks.sh PLUGIN_DIR
set -eu
dir=$1
all=laplacian-variance+tenengrad+blur-effect+edge-width+effective-resolution
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Prints how many objects the leaks tracer listed alive for a command, or nothing; the
# command's output is in $log.
alive() {
	GST_REGISTRY="$dir/gst-registry-leaks.bin" GST_PLUGIN_PATH="$dir" GST_TRACERS=leaks GST_DEBUG=leaks:7 GST_DEBUG_NO_COLOR=1 \
		"$@" >"$log" 2>&1 || { echo failed; return; }
	sed -n 's/.*listed \([0-9]*\) alive objects.*/\1/p' "$log" | tail -1
}
leaky=$(alive /usr/bin/python3 -c "
import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst
Gst.init(None)
kept = (Gst.Buffer.new_allocate(None, 16, None), Gst.ElementFactory.make('identity'))
Gst.deinit()")
if [ -n "$leaky" ] && [ "$leaky" != "failed" ] && [ "$leaky" -gt 0 ]; then
	echo "the check sees a known leak ($leaky objects)"
else
	echo "THE CHECK DOES NOT SEE A KNOWN LEAK (${leaky:-no leaks report})"
	status=1
fi
run() {
	listed=$(alive gst-launch-1.0 -q "$@")
	if [ "$listed" = "0" ]; then
		echo "no leaks: $*"
	else
		echo "LEAKS (${listed:-no leaks report}): $*"
		grep -i "alive" "$log" | head -20 || true
		tail -3 "$log"
		status=1
	fi
}
run videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240 \
	! sharpmeter metrics=$all interval=0 threshold=1 min-duration=0 resolution-threshold=1 tile-columns=2 tile-rows=2 roi-x=4 \
	! tee name=t ! queue ! videoconvert ! fakesink t. ! queue ! fakesink
run videotestsrc num-buffers=30 ! video/x-raw,format=I420_10LE,width=200,height=150 \
	! sharpmeter attach-meta=false analyze-every=2 ! fakesink
run videotestsrc num-buffers=30 pattern=ball ! video/x-raw,format=RGBA,width=256,height=256 \
	! sharpmeter metrics=$all threads=2 ! videoscale ! video/x-raw,width=128,height=128 ! fakesink
exit $status
