"""Per-reason false alarms and misses of `sharpmeter check` on the calibration set.

Reads OUT/manifest.tsv (tools/calibration_set.py) and the database that
`sharpmeter check --db DB --db-reports --set interval=0 OUT/stills OUT/clips` wrote (one report
per frame), and prints markdown tables:
- stills: the share of each kind whose sharpness is below THRESHOLD and whose effective share
  (worse axis) is below RESOLUTION;
- clips: the share of each clip kind with an alarm per reason, as the element raised them
  (`files` table), and, with --replay, as the threshold and resolution reasons would be raised
  with other limits (the rolling median and minimum duration of the element, without its
  scene-cut restarts).

Usage: python calibration_eval.py OUT_DIR DB [--threshold T] [--resolution R] [--replay]
(T and R default to the element's defaults, 0.2 and 0.4.)
"""

import argparse
import collections
import functools
import os
import sqlite3
import statistics
import subprocess

import cv2

from calibration_set import FPS, clip_size


@functools.cache
def photo_size(root, source):
    """(height, width) of a calibration photo."""
    return cv2.imread(os.path.join(root, "photos", source + ".png")).shape[:2]


def size_of(root, row):
    if row["kind"] == "video":
        out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                              "stream=width,height", "-of", "csv=p=0", os.path.join(root, row["file"])],
                             capture_output=True, text=True, check=True).stdout.split(",")
        return int(out[0]), int(out[1])
    h, w = photo_size(root, row["source"])
    if row["type"] == "clip":
        h, w = clip_size(h, w)
    return w, h


def frames_of(db, path):
    """(running time s, valid, sharpness, effective width, effective height) per frame."""
    q = """SELECT r.running_time, r.valid_frames, r.sharpness, r.effective_width, r.effective_height
           FROM reports r JOIN files f ON r.file_id = f.id WHERE f.path = ? ORDER BY r.running_time"""
    return [(t / 1e9, v > 0, s, ew, eh) for t, v, s, ew, eh in db.execute(q, (path,))]


def replay(values, limit, window=0.5, min_duration=1.0):
    """Whether the element's rolling median of `values` ((time, value or None)) would stay
    below `limit` for `min_duration`."""
    recent = collections.deque()
    run_start = None
    for t, v in values:
        if v is None:
            continue
        recent.append((t, v))
        while t - recent[0][0] >= window and len(recent) > 1:
            recent.popleft()
        if statistics.median(x for _, x in recent) < limit:
            run_start = t if run_start is None else run_start
            if t - run_start + 1 / FPS >= min_duration:
                return True
        else:
            run_start = None
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("db")
    ap.add_argument("--threshold", type=float, default=0.2)
    ap.add_argument("--resolution", type=float, default=0.4)
    ap.add_argument("--window", type=float, default=0.5, help="s, with --replay")
    ap.add_argument("--min-duration", type=float, default=1.0, help="s, with --replay")
    ap.add_argument("--replay", action="store_true")
    a = ap.parse_args()
    with open(os.path.join(a.root, "manifest.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        rows = [dict(zip(head, l.rstrip("\n").split("\t"))) for l in f]
    db = sqlite3.connect(a.db)
    columns = {r[1] for r in db.execute("PRAGMA table_info(files)")}
    detail = "alarms_detail" if "alarms_detail" in columns else "0"
    files = {os.path.relpath(p, a.root): (p, tr, rs, dr, de, sm, es)
             for p, tr, rs, dr, de, sm, es in db.execute(
                 f"SELECT path, alarms_threshold, alarms_resolution, alarms_drop, {detail}, "
                 "sharpness_median, effective_share_median FROM files")}
    stills = collections.defaultdict(list)
    clips = collections.defaultdict(list)
    for r in rows:
        got = files.get(r["file"])
        if got is None:
            continue
        path, tr, rs, dr, de, sm, es = got
        if r["type"] == "still":
            stills[r["kind"]].append((r["source"], sm, es))
            continue
        alarms = {"threshold": tr > 0, "resolution": rs > 0, "drop": dr > 0, "detail": de > 0}
        if a.replay:
            w, h = size_of(a.root, r)
            fr = frames_of(db, path)
            sharp = [(t, s if v else None) for t, v, s, _, _ in fr]
            share = [(t, min(ew / w if ew else 1.0, eh / h if eh else 1.0) if v and (ew or eh) else None)
                     for t, v, _, ew, eh in fr]
            judge = lambda v, limit: limit > 0 and replay(v, limit, a.window, a.min_duration)
            alarms["threshold"] = judge(sharp, a.threshold)
            alarms["resolution"] = judge(share, a.resolution)
        clips[(r["kind"], r["label"])].append((r["source"], alarms))
    print(f"threshold {a.threshold}, resolution-threshold {a.resolution}"
          + (f", window {a.window} s, min-duration {a.min_duration} s (replayed)" if a.replay else "") + "\n")
    print("| still | label | n | sharpness below threshold | effective share below limit | median sharpness | names below |")
    print("|---|---|---|---|---|---|---|")
    labels = {r["kind"]: r["label"] for r in rows}
    for kind, v in stills.items():
        below = [n for n, s, _ in v if s is not None and s < a.threshold]
        res = [n for n, _, e in v if e is not None and e < a.resolution]
        med = statistics.median(s for _, s, _ in v if s is not None)
        names = ", ".join(sorted(set(below + res))) if labels[kind] == "sharp" else ""
        print(f"| {kind} | {labels[kind]} | {len(v)} | {len(below)} | {len(res)} | {med:.3f} | {names} |")
    print("\n| clip | label | n | threshold | resolution | drop | detail | any | names (sharp: alarmed; else: missed) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (kind, label), v in sorted(clips.items()):
        n = len(v)
        c = {k: sum(a[k] for _, a in v) for k in ("threshold", "resolution", "drop", "detail")}
        anyc = [s for s, a in v if any(a.values())]
        names = anyc if label == "sharp" else [s for s, a in v if not any(a.values())]
        print(f"| {kind} | {label} | {n} | {c['threshold']} | {c['resolution']} | {c['drop']} | {c['detail']} | {len(anyc)} | "
              f"{', '.join(names[:12])}{' ...' if len(names) > 12 else ''} |")


if __name__ == "__main__":
    main()
