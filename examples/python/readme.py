# The Python snippet of docs/integration.md; tests/readme.rs checks that the page shows it and runs it.
import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst

Gst.init(None)
pipeline = Gst.parse_launch(
    "videotestsrc num-buffers=10 ! video/x-raw,width=320,height=240 "
    "! sharpmeter interval=0 ! fakesink name=sink")


frames = []  # the probe runs in the streaming thread: collect, print at the end


def on_buffer(pad, info):
    meta = info.get_buffer().get_custom_meta("SharpMeterMeta")
    if meta is not None:
        frames.append(meta.get_structure().get_value("sharpness"))
    return Gst.PadProbeReturn.OK


pipeline.get_by_name("sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer)
bus = pipeline.get_bus()
pipeline.set_state(Gst.State.PLAYING)
while True:
    msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE, Gst.MessageType.ELEMENT | Gst.MessageType.EOS)
    if msg.type == Gst.MessageType.EOS:
        break
    s = msg.get_structure()
    if s.get_name() == "sharpmeter":
        print("report", s.get_value("running-time"), s.get_value("sharpness"))
pipeline.set_state(Gst.State.NULL)
for sharpness in frames:
    print("frame", sharpness)
