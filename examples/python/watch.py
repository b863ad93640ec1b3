#!/usr/bin/python3
"""Watches the sharpness of any video file or URI with sharpmeter (PyGObject, with or without
Debian's python3-gst-1.0 overrides).

    GST_PLUGIN_PATH=target/release python3 examples/python/watch.py clip.mp4 [sharpmeter props]

Decodes INPUT (a path or a URI) with uridecodebin, runs it through sharpmeter and prints one
line per report, one per alarm start or end (with the word "alarm"), the meta of the first
frame (read through a pad probe) and the summary. Extra arguments are sharpmeter properties,
e.g. `drop=0.5 tile-columns=2 tile-rows=2`. Exits 1 on a pipeline error.
"""
import os
import sys
import warnings

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

# Without Debian's python3-gst-1.0 overrides, GValueArray.get_nth is the way PyGObject alone
# reads a GstValueArray; it warns that it is deprecated.
warnings.filterwarnings("ignore", category=DeprecationWarning)
HAVE_OVERRIDES = hasattr(Gst.Structure, "__getitem__")


def uri_of(arg):
    return arg if Gst.uri_is_valid(arg) else Gst.filename_to_uri(os.path.abspath(arg))


def seconds(ns):
    return "-" if ns is None or ns == Gst.CLOCK_TIME_NONE else "%.3f s" % (ns / Gst.SECOND)


def get(s, field):
    """A field's value, or None when absent (get_value cannot read arrays: see array())."""
    return s.get_value(field) if s.has_field(field) else None


def array(s, field):
    """A GstValueArray field as a list, or None when absent."""
    if not s.has_field(field):
        return None
    if HAVE_OVERRIDES:
        return list(s[field])
    ok, values = s.get_array(field)
    return [values.get_nth(i) for i in range(values.n_values)] if ok else None


def report_line(s):
    size = get(s, "effective-width"), get(s, "effective-height")
    parts = [
        "report %s" % seconds(get(s, "timestamp")),
        "%d frames (%d valid)" % (get(s, "frames"), get(s, "valid-frames")),
        "sharpness %s" % ("-" if get(s, "sharpness") is None else "%.3f" % get(s, "sharpness")),
        "effective size %s" % ("%sx%s" % size if None not in size else "-"),
        "state %s" % get(s, "state"),
    ]
    if get(s, "baseline") is not None:
        parts.append("baseline %.3f" % get(s, "baseline"))
    return ", ".join(parts)


def alarm_line(s):
    event, reason = get(s, "event"), get(s, "reason")
    line = "alarm %s (%s) at %s: sharpness %.3f, limit %.2f" % (
        event, reason, seconds(get(s, "timestamp")), get(s, "sharpness"), get(s, "threshold"))
    if get(s, "effective-share") is not None:
        line += ", effective share %.2f" % get(s, "effective-share")
    if get(s, "relative-drop") is not None:
        line += ", %.0f%% below %.3f" % (100 * get(s, "relative-drop"), get(s, "baseline"))
    if get(s, "duration") is not None:
        line += ", lasted %s" % seconds(get(s, "duration"))
    return line


def summary_line(s):
    return "summary: %d frames (%d valid), mean sharpness %s, %d alarm(s), %s in alarm" % (
        get(s, "frames"), get(s, "valid-frames"),
        "-" if get(s, "sharpness-mean") is None else "%.3f" % get(s, "sharpness-mean"),
        get(s, "alarms"), seconds(get(s, "alarm-duration")))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    Gst.init(None)
    props = " ".join(sys.argv[2:])
    pipeline = Gst.parse_launch(
        "uridecodebin name=src ! videoconvert ! sharpmeter name=meter %s ! fakesink" % props)
    pipeline.get_by_name("src").set_property("uri", uri_of(sys.argv[1]))
    seen = []

    def on_buffer(pad, info):
        meta = info.get_buffer().get_custom_meta("SharpMeterMeta")
        if meta is not None and not seen:
            s = meta.get_structure()
            seen.append(True)
            print("meta of the first frame: sharpness %.3f, valid %s, active area %s%s" % (
                get(s, "sharpness"), get(s, "valid"), array(s, "active-area"),
                "" if array(s, "tiles") is None else ", tiles %s" % [
                    round(t, 3) for t in array(s, "tiles")]), flush=True)
        return Gst.PadProbeReturn.OK

    pipeline.get_by_name("meter").get_static_pad("src").add_probe(
        Gst.PadProbeType.BUFFER, on_buffer)
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    status = 0
    while True:
        msg = bus.timed_pop_filtered(
            Gst.CLOCK_TIME_NONE,
            Gst.MessageType.ELEMENT | Gst.MessageType.EOS | Gst.MessageType.ERROR
            | Gst.MessageType.WARNING)
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print("error: %s (%s)" % (err.message, debug), file=sys.stderr)
            status = 1
            break
        if msg.type == Gst.MessageType.WARNING:
            print("warning: %s" % msg.parse_warning()[0].message, file=sys.stderr)
            continue
        if msg.type == Gst.MessageType.EOS:
            break
        s = msg.get_structure()
        name = s.get_name()
        if name == "sharpmeter":
            print(report_line(s), flush=True)
        elif name == "sharpmeter-alarm":
            print(alarm_line(s), flush=True)
        elif name == "sharpmeter-summary":
            print(summary_line(s), flush=True)
    pipeline.set_state(Gst.State.NULL)
    sys.exit(status)


if __name__ == "__main__":
    main()
