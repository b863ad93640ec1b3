"""Checks the `detail` figure on the calibration set's stills: each photo's painted and good
versions against the untouched photo (relative fall of `detail`).

Versions: the calibration set's own (bilateral, nlmeans, tv, downup_tv_usm as painted; usm,
noise4, jpeg90 as good) and these, made here from each untouched still into OUT/detail/:
painted: ffmpeg hqdn3d (8:6:6:4.5, three times), ffmpeg nlmeans (s=6), ffmpeg bilateral
(sigmaS 3, sigmaR 0.15), OpenCV edgePreservingFilter (recursive, 60, 0.4) and stylization
(60, 0.45); good: Gaussian noise sigma 2 and 10, half contrast, x264 CRF 18 and 23 (one
intra frame, yuv420p), shallow depth of field (the centre 60% x 60% kept, the rest Gaussian
sigma 3, as the shared corpus's dof_centre).

A pair is flagged when the fall exceeds the limit. The limit is the 95th percentile of the
good versions' falls, fitted leave-one-source-out: each source is judged with the limit of
the others. A frame without a figure is never flagged.

Usage: python detail_check.py CALIBRATION_DIR DETAIL_CHECK_BINARY
"""

import collections
import concurrent.futures
import glob
import os
import subprocess
import sys

import cv2
import numpy as np

PAINTED = ["bilateral", "nlmeans", "tv", "downup_tv_usm", "hqdn3d3", "ffnlmeans",
           "ffbilateral", "edgepres", "stylization"]
GOOD = ["usm", "noise4", "jpeg90", "noise2", "noise10", "half", "crf18", "crf23"]
OTHER = ["dof", "hqdn3d", "blur1.5", "downup2_cubic", "downup2_lanczos_usm"]
FROM_SET = ["orig", "bilateral", "nlmeans", "tv", "downup_tv_usm", "usm", "noise4", "jpeg90",
            "blur1.5", "downup2_cubic", "downup2_lanczos_usm"]


def ffmpeg(src, dst, vf=None, crf=None):
    if crf is None:
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-vf", vf, "-pix_fmt", "gray",
                        dst], check=True)
        return
    mp4 = dst + ".mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", src, "-c:v", "libx264", "-crf", str(crf),
                    "-pix_fmt", "yuv420p", mp4], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", mp4, "-pix_fmt", "gray", dst], check=True)
    os.remove(mp4)


def versions(args):
    still, out = args
    name = os.path.basename(still).split("__")[0]
    done = os.path.join(out, name + "__dof.png")
    if os.path.exists(done):
        return name
    rgb = cv2.imread(still, cv2.IMREAD_COLOR)
    g = cv2.cvtColor(rgb, cv2.COLOR_BGR2GRAY).astype(np.float64)

    def write(kind, a):
        cv2.imwrite(os.path.join(out, f"{name}__{kind}.png"),
                    np.clip(np.round(a), 0, 255).astype(np.uint8))

    rng = np.random.default_rng(7)
    write("noise2", g + rng.normal(0, 2, g.shape))
    write("noise10", g + rng.normal(0, 10, g.shape))
    write("half", 0.5 * (g - g.mean()) + g.mean())
    write("edgepres", cv2.cvtColor(cv2.edgePreservingFilter(rgb, flags=1, sigma_s=60, sigma_r=0.4),
                                   cv2.COLOR_BGR2GRAY))
    write("stylization", cv2.cvtColor(cv2.stylization(rgb, sigma_s=60, sigma_r=0.45),
                                      cv2.COLOR_BGR2GRAY))
    path = lambda kind: os.path.join(out, f"{name}__{kind}.png")
    ffmpeg(still, path("hqdn3d3"), "hqdn3d=8:6:6:4.5,hqdn3d=8:6:6:4.5,hqdn3d=8:6:6:4.5")
    ffmpeg(still, path("hqdn3d"), "hqdn3d")
    ffmpeg(still, path("ffnlmeans"), "nlmeans=s=6")
    ffmpeg(still, path("ffbilateral"), "bilateral=sigmaS=3:sigmaR=0.15")
    ffmpeg(still, path("crf18"), crf=18)
    ffmpeg(still, path("crf23"), crf=23)
    h, w = g.shape
    dof = cv2.GaussianBlur(g, (0, 0), 3)
    y0, x0 = int(h * 0.2), int(w * 0.2)
    dof[y0:h - y0, x0:w - x0] = g[y0:h - y0, x0:w - x0]
    write("dof", dof)  # last: marks the source as done
    return name


def main():
    root, binary = sys.argv[1], sys.argv[2]
    stills = os.path.join(root, "stills")
    out = os.path.join(root, "detail")
    os.makedirs(out, exist_ok=True)
    origs = sorted(glob.glob(os.path.join(stills, "*__orig.png")))
    with concurrent.futures.ProcessPoolExecutor(os.cpu_count()) as ex:
        list(ex.map(versions, [(o, out) for o in origs]))
    files = [p for o in origs for k in FROM_SET
             for p in [o.replace("__orig.png", f"__{k}.png")] if os.path.exists(p)]
    files += sorted(glob.glob(os.path.join(out, "*.png")))
    lines = subprocess.run([binary] + files, check=True, capture_output=True, text=True).stdout
    detail = collections.defaultdict(dict)
    for line in lines.splitlines():
        path, value = line.split("\t")
        name, kind = os.path.basename(path)[:-4].split("__")
        detail[name][kind] = None if value == "none" else float(value)
    names = sorted(detail)
    judged = [n for n in names if detail[n]["orig"] is not None]

    def fall(n, k):
        a, b = detail[n]["orig"], detail[n].get(k)
        return None if a is None or b is None else 1 - b / a

    def limit(excluded):
        falls = [fall(n, k) for n in judged if n != excluded for k in GOOD]
        return float(np.percentile([f for f in falls if f is not None], 95))

    limits = {n: limit(n) for n in names}
    flagged = {(n, k): (fall(n, k) is not None and fall(n, k) > limits[n])
               for n in names for k in PAINTED + GOOD + OTHER}
    print(f"{len(names)} sources, {len(judged)} with a figure on the untouched photo "
          f"(without: {', '.join(n for n in names if n not in judged) or 'none'})")
    print(f"limit (95th percentile of good falls, all sources): {limit(None):.3f}; "
          f"leave-one-source-out {min(limits.values()):.3f}..{max(limits.values()):.3f}")
    print("| version | kind | median fall | flagged (leave-one-source-out) |")
    print("|---|---|---|---|")
    for kinds, label in ((PAINTED, "painted"), (GOOD, "good"), (OTHER, "other")):
        for k in kinds:
            f = [fall(n, k) for n in judged if fall(n, k) is not None]
            share = np.mean([flagged[(n, k)] for n in names])
            print(f"| {k} | {label} | {np.median(f):+.2f} | {share:.0%} |")
    for kinds, label in ((PAINTED, "painted"), (GOOD, "good")):
        share = np.mean([flagged[(n, k)] for n in names for k in kinds])
        print(f"all {label}: {share:.1%} of (source, version) pairs flagged")


if __name__ == "__main__":
    main()
