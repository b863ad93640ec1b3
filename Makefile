# sharpmeter: `make demo` and `make test` set everything up on a fresh Debian 12 machine.

DEB_PACKAGES := pkg-config libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev \
	gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
	gstreamer1.0-plugins-ugly gstreamer1.0-libav python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0 \
	gir1.2-gst-plugins-base-1.0 libgstrtspserver-1.0-dev fonts-dejavu-core tzdata
INPUT ?=
CORPUS ?= ../shared/corpus

# Tests and the demo register the plugin themselves; a plugin path pointing at a build of
# it would register it twice. A private registry keeps a stale blacklist out of the way.
unexport GST_PLUGIN_PATH
export GST_REGISTRY := $(CURDIR)/target/gst-registry.bin

.PHONY: setup build demo test bench memcheck corpus-check heldout-check alarm-check calibration-check detail-check cut-check research-venv inspect install uninstall clean

setup:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages:" $$missing; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -q --no-install-recommends $$missing; \
		else \
			echo "Missing Debian packages; install them as root with:"; \
			echo "  apt-get install -y --no-install-recommends" $$missing; \
			exit 1; \
		fi; \
	fi

build: setup
	cargo build --workspace --all-targets

# The binaries run as built by `build`: a cargo command for one package would resolve the
# dependencies' features without the command's and rebuild them.
demo: build
	target/debug/examples/demo "$(INPUT)"

test: setup
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings
	cargo build --workspace --all-targets
	cargo test --workspace
	cargo test --workspace --features gst-plugin-sharpmeter/fault-injection --test panics
	sh tests/leaks.sh $(CURDIR)/target/debug
	sh tests/install.sh

# Cost on one core against baselines measured in the same run, and the `sharpmeter check`
# command against decoding alone (examples/bench.rs; a few minutes; not part of `make test`).
# Installs Debian's ffmpeg for the blurdetect comparison.
bench: setup
	@command -v ffmpeg >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends ffmpeg; } \
		|| { echo "install ffmpeg: apt-get install -y ffmpeg"; exit 1; }
	cargo build --release --workspace --lib --bins --example bench
	GST_REGISTRY=$(CURDIR)/target/gst-registry-bench.bin target/release/examples/bench

# Runs a pipeline with every feature under valgrind; fails on invalid accesses or memory
# definitely lost. Installs valgrind when missing (as root).
memcheck: build
	@command -v valgrind >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q valgrind; } \
		|| { echo "install valgrind: apt-get install -y valgrind"; exit 1; }
	GST_REGISTRY=$(CURDIR)/target/gst-registry-memcheck.bin GST_PLUGIN_PATH=$(CURDIR)/target/debug \
	G_SLICE=always-malloc G_DEBUG=gc-friendly \
	valgrind -q --suppressions=$(CURDIR)/tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--error-exitcode=1 gst-launch-1.0 -q videotestsrc num-buffers=20 \
		! video/x-raw,width=320,height=240 ! sharpmeter interval=0 threshold=1 min-duration=0 \
		roi-x=8 roi-y=4 tile-columns=3 tile-rows=2 threads=2 \
		metrics=laplacian-variance+tenengrad+blur-effect+edge-width+effective-resolution \
		! tee name=t ! queue ! fakesink t. ! queue ! videoconvert ! fakesink
	@echo "memcheck: clean"

# Checks the analysis core against the whole shared corpus (not part of `make test`).
corpus-check: build
	cargo run --release --example corpus_check -- $(CORPUS)

# The stream-aware alarms with default properties on x264 pans over every corpus photo (about
# 10 minutes; not part of `make test`).
alarm-check: build
	cargo run --release --example alarm_check -- $(CORPUS)

# ffmpeg and a Python venv with the pinned packages the corpus-building tools use.
HELDOUT_VENV := target/heldout-venv
research-venv: setup
	@command -v ffmpeg >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends ffmpeg; } \
		|| { echo "install ffmpeg: apt-get install -y ffmpeg"; exit 1; }
	@python3 -c 'import ensurepip' 2>/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q --no-install-recommends python3-venv; } \
		|| { echo "install python3-venv: apt-get install -y python3-venv"; exit 1; }
	[ -x $(HELDOUT_VENV)/bin/python ] || python3 -m venv $(HELDOUT_VENV)
	$(HELDOUT_VENV)/bin/pip install -q scikit-image==0.26.0 scipy==1.17.1 numpy==2.4.6 \
		opencv-python-headless==5.0.0.93

# The same checks on a held-out corpus built from scikit-image photos that the shared corpus
# does not use (needs PyPI and ffmpeg; not part of `make test`).
heldout-check: build research-venv
	$(HELDOUT_VENV)/bin/python tools/heldout_corpus.py target/heldout $(CORPUS)/flat
	cargo run --release --example corpus_check -- target/heldout

# Builds the calibration set of real content (photos and videos from Debian and PyPI packages,
# degraded and made into x264 clips; tools/calibration_set.py, about 20 minutes, 1.6 GB in
# target/calibration), checks it with the release command and prints the per-reason false
# alarms and misses (tools/calibration_eval.py). Not part of `make test`.
CALIBRATION := target/calibration
calibration-check: build research-venv
	$(HELDOUT_VENV)/bin/python tools/calibration_set.py $(CALIBRATION)
	cargo build --release --workspace --lib --bins
	rm -f $(CALIBRATION)/check.db
	target/release/sharpmeter check --db $(CALIBRATION)/check.db --db-reports --set interval=0 \
		$(CALIBRATION)/stills $(CALIBRATION)/clips > $(CALIBRATION)/check.txt || [ $$? = 1 ]
	$(HELDOUT_VENV)/bin/python tools/calibration_eval.py $(CALIBRATION) $(CALIBRATION)/check.db

# Checks the `detail` figure on the calibration set's stills: painted and good versions of each
# photo against the untouched one (tools/detail_check.py; builds the set first when missing,
# then about a minute). Not part of `make test`.
detail-check: build research-venv
	$(HELDOUT_VENV)/bin/python tools/calibration_set.py $(CALIBRATION)
	cargo build --release --example detail_check
	$(HELDOUT_VENV)/bin/python tools/detail_check.py $(CALIBRATION) target/release/examples/detail_check

# A 2x down-up that begins 0 to 0.47 s after a cut between two calibration photos: the clips
# alarmed within 1.83 s of the cut, and the calibration set's cut-only clips as controls
# (tools/cut_check.py; builds the set first when missing, then about 5 minutes). Not part of
# `make test`.
cut-check: build research-venv
	$(HELDOUT_VENV)/bin/python tools/calibration_set.py $(CALIBRATION)
	cargo build --release --workspace --lib --bins
	$(HELDOUT_VENV)/bin/python tools/cut_check.py $(CALIBRATION) target/release/sharpmeter

# Installs the release plugin into GStreamer's system plugin directory (pkg-config
# pluginsdir) and the `sharpmeter` command into BINDIR, under DESTDIR when given; uninstall
# removes them.
PLUGINSDIR = $(shell pkg-config --variable=pluginsdir gstreamer-1.0)
# The README goes to DOCDIR; the plugin's origin and doc-uri name it there.
DOCDIR = $(shell pkg-config --variable=prefix gstreamer-1.0)/share/doc/gst-plugin-sharpmeter
BINDIR ?= /usr/local/bin
# Cargo profile of the installed command; tests/install.sh uses dev, as `make test` has built
# it (the command does not show the documentation directory).
CLI_PROFILE ?= release
CLI_DIR = $(if $(filter dev,$(CLI_PROFILE)),debug,$(CLI_PROFILE))

install: setup
	SHARPMETER_DOCDIR=$(DOCDIR) cargo build --release --workspace --lib $(if $(filter dev,$(CLI_PROFILE)),,--bins)
	$(if $(filter dev,$(CLI_PROFILE)),cargo build --workspace --all-targets)
	install -D -m 0644 target/release/libgstsharpmeter.so $(DESTDIR)$(PLUGINSDIR)/libgstsharpmeter.so
	install -D -m 0755 target/$(CLI_DIR)/sharpmeter $(DESTDIR)$(BINDIR)/sharpmeter
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	@echo "installed $(DESTDIR)$(PLUGINSDIR)/libgstsharpmeter.so, $(DESTDIR)$(BINDIR)/sharpmeter and $(DESTDIR)$(DOCDIR)/README.md"

uninstall:
	rm -f $(DESTDIR)$(PLUGINSDIR)/libgstsharpmeter.so $(DESTDIR)$(BINDIR)/sharpmeter
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "removed $(DESTDIR)$(PLUGINSDIR)/libgstsharpmeter.so, $(DESTDIR)$(BINDIR)/sharpmeter and $(DESTDIR)$(DOCDIR)"

# gst-inspect-1.0 on the built plugin.
inspect: build
	GST_PLUGIN_PATH=$(CURDIR)/target/debug gst-inspect-1.0 sharpmeter

clean:
	cargo clean
