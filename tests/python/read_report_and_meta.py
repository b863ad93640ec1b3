"""Reads sharpmeter's reports, summary and SharpMeterMeta from Python (PyGObject only).

Prints one JSON object: {"reports": [...], "metas": [...], "summary": {...}}.
Needs GST_PLUGIN_PATH to point at the directory holding libgstsharpmeter.so.
"""
import json
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
pipeline = Gst.parse_launch(
    "videotestsrc num-buffers=10 pattern=smpte "
    "! video/x-raw,format=I420,width=320,height=240,framerate=10/1 "
    "! sharpmeter interval=0 ! fakesink name=sink"
)
metas = []


def on_buffer(pad, info):
    meta = info.get_buffer().get_custom_meta("SharpMeterMeta")
    if meta is not None:
        s = meta.get_structure()
        metas.append({f: s.get_value(f) for f in ("sharpness", "valid", "laplacian-variance", "tenengrad")})
    return Gst.PadProbeReturn.OK


pipeline.get_by_name("sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer)
bus = pipeline.get_bus()
pipeline.set_state(Gst.State.PLAYING)
reports, summary = [], None
while True:
    msg = bus.timed_pop_filtered(
        10 * Gst.SECOND, Gst.MessageType.ELEMENT | Gst.MessageType.EOS | Gst.MessageType.ERROR
    )
    if msg is None or msg.type == Gst.MessageType.ERROR:
        pipeline.set_state(Gst.State.NULL)
        sys.exit("error or timeout: %s" % (msg.parse_error() if msg else "none"))
    if msg.type == Gst.MessageType.EOS:
        break
    s = msg.get_structure()
    if s.get_name() == "sharpmeter":
        reports.append({f: s.get_value(f) for f in ("timestamp", "running-time", "frames", "sharpness", "state")})
    elif s.get_name() == "sharpmeter-summary":
        summary = {f: s.get_value(f) for f in ("frames", "valid-frames", "sharpness-mean", "alarms")}
pipeline.set_state(Gst.State.NULL)
print(json.dumps({"reports": reports, "metas": metas, "summary": summary}))
