#!/bin/sh
# `make install` into a staging DESTDIR: gst-inspect-1.0 finds sharpmeter there as a system
# plugin (GST_PLUGIN_SYSTEM_PATH_1_0, no GST_PLUGIN_PATH) with a documentation link to the
# installed README; `make uninstall` removes both again.
set -eu
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dir="$stage$(pkg-config --variable=pluginsdir gstreamer-1.0)"
inspect() {
	env -u GST_PLUGIN_PATH GST_REGISTRY="$stage/registry.bin" GST_PLUGIN_SYSTEM_PATH_1_0="$dir" \
		gst-inspect-1.0 sharpmeter
}
# The command in the dev profile `make test` has built: this checks where it goes, not its speed.
make -s install DESTDIR="$stage" CLI_PROFILE=dev
inspect | grep -q "Sharpness meter" || { echo "install: gst-inspect-1.0 does not find sharpmeter in $dir"; exit 1; }
# The documentation link gst-inspect-1.0 shows names the installed README.
doc=$(inspect | sed -n 's|.*Doc-uri *file://||p' | head -n 1)
[ -n "$doc" ] && [ -f "$stage$doc" ] || { echo "install: gst-inspect-1.0 shows no documentation link to an installed README ($doc)"; exit 1; }
# The command runs from where it was installed and finds the element (built in).
"$stage/usr/local/bin/sharpmeter" --version | grep -q '^sharpmeter ' || { echo "install: $stage/usr/local/bin/sharpmeter does not run"; exit 1; }
make -s uninstall DESTDIR="$stage"
[ ! -e "$stage/usr/local/bin/sharpmeter" ] || { echo "uninstall: the sharpmeter command is still there"; exit 1; }
[ ! -e "$dir/libgstsharpmeter.so" ] || { echo "uninstall: $dir/libgstsharpmeter.so is still there"; exit 1; }
rm -f "$stage/registry.bin"
if inspect >/dev/null 2>&1; then echo "uninstall: gst-inspect-1.0 still finds sharpmeter"; exit 1; fi
echo "install: gst-inspect-1.0 finds sharpmeter in $dir, the command runs; uninstall removes both"
