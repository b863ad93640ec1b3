"""Reads sharpmeter's reports, summary and SharpMeterMeta from Python.

    read_report_and_meta.py [pygobject-only]

Reads the array fields (active-area, tiles, episodes) through Debian's python3-gst-1.0
overrides (`s["tiles"]`); with `pygobject-only`, through PyGObject alone (`get_array`).
Prints one JSON object: {"reports": [...], "metas": [...], "summary": {...}, "episodes": [...]}.
The episodes come from a second pipeline (videotestsrc's soft `ball` pattern).
Needs GST_PLUGIN_PATH to point at the directory holding libgstsharpmeter.so.
"""
import importlib.abc
import importlib.machinery
import json
import sys

import gi

PYGOBJECT_ONLY = sys.argv[1:] == ["pygobject-only"]


class WithoutGstOverrides(importlib.abc.MetaPathFinder):
    """Hides python3-gst-1.0's overrides, as on a machine with python3-gi alone."""

    def find_spec(self, name, path=None, target=None):
        return importlib.machinery.ModuleSpec(name, None) if name.startswith("gi.overrides.Gst") else None


if PYGOBJECT_ONLY:
    sys.meta_path.insert(0, WithoutGstOverrides())

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

if hasattr(Gst.Structure, "__getitem__") == PYGOBJECT_ONLY:
    sys.exit("python3-gst-1.0's overrides are %s" % ("loaded" if PYGOBJECT_ONLY else "not installed"))


ALIVE = []


def array(s, field):
    """A GstValueArray field as a list, or None when absent."""
    if not s.has_field(field):
        return None
    if PYGOBJECT_ONLY:
        ok, values = s.get_array(field)
        # get_nth borrows from the array: it must outlive the items (structures).
        ALIVE.append(values)
        return [values.get_nth(i) for i in range(values.n_values)]
    return list(s[field])


Gst.init(None)
pipeline = Gst.parse_launch(
    "videotestsrc num-buffers=10 pattern=smpte "
    "! video/x-raw,format=I420,width=320,height=240,framerate=10/1 "
    "! sharpmeter interval=0 tile-columns=2 tile-rows=1 ! fakesink name=sink"
)
metas = []


def on_buffer(pad, info):
    meta = info.get_buffer().get_custom_meta("SharpMeterMeta")
    if meta is not None:
        s = meta.get_structure()
        fields = {f: s.get_value(f) for f in ("sharpness", "valid", "laplacian-variance", "tenengrad", "scene-cut")}
        area, tiles = array(s, "active-area"), array(s, "tiles")
        fields["active-area"] = ":".join(str(v) for v in area) if area is not None else None
        fields["tiles"] = len(tiles) if tiles is not None else None
        metas.append(fields)
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

# The summary's `episodes` is a GstValueArray of structures.
soft = Gst.parse_launch(
    "videotestsrc num-buffers=25 pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 "
    "! sharpmeter min-duration=0 threshold=0.4 resolution-threshold=0 ! fakesink"
)
soft_bus = soft.get_bus()
soft.set_state(Gst.State.PLAYING)
episodes = None
while episodes is None:
    msg = soft_bus.timed_pop_filtered(10 * Gst.SECOND, Gst.MessageType.ELEMENT | Gst.MessageType.ERROR)
    if msg is None or msg.type == Gst.MessageType.ERROR:
        soft.set_state(Gst.State.NULL)
        sys.exit("no summary from the ball pipeline")
    s = msg.get_structure()
    if s.get_name() == "sharpmeter-summary":
        episodes = [
            {"reason": e.get_value("reason"), "duration": e.get_value("duration")}
            for e in array(s, "episodes")
        ]
soft.set_state(Gst.State.NULL)
print(json.dumps({"reports": reports, "metas": metas, "summary": summary, "episodes": episodes}))
