"""Checks the alarms on a degradation that begins just after a scene cut.

Clips from the calibration set's photos (the first 40 by name, in pairs: each with the next),
as tools/calibration_set.py makes its clips (10 s at 15 fps, x264 CRF 23): a pan over the first
photo, a cut at 5 s to the second, which is a 2x down-up (cubic) from DELAY frames after the cut
(0, 2, 5 and 7: 0 to 0.47 s). Made once into OUT/cut_downup/. Each clip is checked with
`sharpmeter check --set interval=0` (default properties); a clip counts when an alarm of any
reason is dated within 1.83 s of the cut (1.5 s of the latest down-up start). The 69 cut-only
clips of the calibration set (`clips/*__cut.mp4`) are the controls.

Usage: python cut_check.py CALIBRATION_DIR SHARPMETER_BINARY
"""

import glob
import json
import os
import subprocess
import sys

import cv2
import numpy as np

import calibration_set as cs

DELAYS = [0, 2, 5, 7]
CUT = cs.FPS * cs.SECONDS // 2
WITHIN = 1.83


def make(root, delay):
    """The clips of one delay; returns their paths."""
    names = sorted(os.path.basename(p)[:-4] for p in glob.glob(f"{root}/photos/*.png"))[:40]
    out = os.path.join(root, "cut_downup")
    os.makedirs(out, exist_ok=True)
    paths = []
    for a, b in zip(names[0::2], names[1::2]):
        path = f"{out}/{a}__{b}__d{delay}.mp4"
        paths.append(path)
        if os.path.exists(path):
            continue
        pa = cv2.imread(f"{root}/photos/{a}.png")[..., ::-1]
        pb = cv2.imread(f"{root}/photos/{b}.png")[..., ::-1]
        pa = np.ascontiguousarray(pa[: pa.shape[0] // 2 * 2, : pa.shape[1] // 2 * 2])
        second = cs.cover(pb, pa)
        h, w = cs.clip_size(*pa.shape[:2])
        sharp = list(cs.frames(pa, second, h, w))
        soft = list(cs.frames(pa, cs.down_up(second, 2), h, w))
        gen = (soft[k] if k >= CUT + delay else sharp[k] for k in range(len(sharp)))
        cs.encode(path, gen, h, w)
    return paths


def first_alarms(binary, paths):
    """(path, {reason: first start in s}) per clip."""
    out = subprocess.run([binary, "check", "-j", "2", "--set", "interval=0", "--json", "-"] + paths,
                         capture_output=True, text=True).stdout
    for f in json.loads(out)["files"]:
        firsts = {}
        for e in (f.get("summary") or {}).get("episodes", []):
            firsts.setdefault(e["reason"], e["stream-time"] / 1e9)
        yield f["path"], firsts


def main():
    root, binary = sys.argv[1], sys.argv[2]
    cut = CUT / cs.FPS
    print("| down-up starts after the cut | alarm within 1.83 s of the cut | missed |")
    print("|---|---|---|")
    for delay in DELAYS:
        results = list(first_alarms(binary, make(root, delay)))
        hit = [p for p, f in results if any(cut - 0.05 <= t <= cut + WITHIN for t in f.values())]
        missed = [os.path.basename(p).rsplit("__", 1)[0] for p, _ in results if p not in hit]
        print(f"| {delay / cs.FPS:.2f} s | {len(hit)}/{len(results)} | {', '.join(missed)} |")
    controls = sorted(glob.glob(f"{root}/clips/*__cut.mp4"))
    alarmed = {os.path.basename(p): f for p, f in first_alarms(binary, controls) if f}
    print(f"\ncut-only controls: {len(alarmed)} of {len(controls)} alarm")
    for name, f in sorted(alarmed.items()):
        print(f"- {name}: " + ", ".join(f"{r} {t:.2f} s" for r, t in f.items()))


if __name__ == "__main__":
    main()
