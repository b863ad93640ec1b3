#!/bin/sh
# Runs pipelines with every sharpmeter feature under GStreamer's leaks tracer and fails when
# any GstObject or mini object is still alive at exit. Usage: tests/leaks.sh PLUGIN_DIR
set -eu
dir=$1
all=laplacian-variance+tenengrad+blur-effect+edge-width+effective-resolution
status=0
run() {
	out=$(GST_REGISTRY="$dir/gst-registry-leaks.bin" GST_PLUGIN_PATH="$dir" GST_TRACERS=leaks GST_DEBUG=leaks:7 GST_DEBUG_NO_COLOR=1 \
		gst-launch-1.0 -q "$@" 2>&1) || { echo "FAILED to run: $*"; echo "$out" | tail -5; status=1; return; }
	listed=$(echo "$out" | sed -n 's/.*listed \([0-9]*\) alive objects.*/\1/p' | tail -1)
	if [ "$listed" = "0" ]; then
		echo "no leaks: $*"
	else
		echo "LEAKS (${listed:-no leaks report}): $*"
		echo "$out" | grep -i "alive" | head -20
		status=1
	fi
}
run videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240 \
	! sharpmeter metrics=$all interval=0 threshold=1 min-duration=0 resolution-threshold=1 \
	! tee name=t ! queue ! videoconvert ! fakesink t. ! queue ! fakesink
run videotestsrc num-buffers=30 ! video/x-raw,format=I420_10LE,width=200,height=150 \
	! sharpmeter attach-meta=false analyze-every=2 ! fakesink
run videotestsrc num-buffers=30 pattern=ball ! video/x-raw,format=RGBA,width=256,height=256 \
	! sharpmeter metrics=$all ! videoscale ! video/x-raw,width=128,height=128 ! fakesink
exit $status
