"""Builds the calibration set of real content: photographs and video clips that ship inside
Debian and PyPI packages (tools/calibration/photos.tsv and videos.tsv name each one, its
package and licence), degraded as the corpora are, and made into 10 s x264 clips.

OUT/photos/NAME.png        each photo, RGB, downscaled (INTER_AREA) to fit 1920x1080
OUT/stills/NAME__KIND.png  the photo and its degraded versions (KINDS)
OUT/clips/NAME__CLIP.mp4   pans over the photo (CLIPS): a switch at 5 s to a degraded version,
                           controls, and x264 at several CRFs
OUT/clips/video__*.mp4     the packaged videos, re-encoded with x264 CRF 23
OUT/manifest.tsv           every still and clip with its label (sharp/soft/painted) and source

Needs apt-get (downloads the packages' .deb files, no install), ffmpeg with libx264, and the
heldout venv's numpy, scipy, scikit-image and OpenCV.

Usage: python calibration_set.py OUT_DIR [NAME ...]
"""

import concurrent.futures
import csv
import glob
import os
import subprocess
import sys

import cv2
import numpy as np
from skimage import data, io
from skimage.restoration import denoise_tv_chambolle

from heldout_corpus import blur, to8

HERE = os.path.dirname(os.path.abspath(__file__))
FPS = 15
SECONDS = 10


def usm(x, amount, sigma=1.0):
    x = x.astype(np.float64)
    return to8(x + amount * (x - blur(x, sigma)))


def down_up(x, factor, up=cv2.INTER_CUBIC):
    h, w = x.shape[:2]
    small = cv2.resize(x, (round(w / factor), round(h / factor)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=up)


def tv(x, weight=0.08):
    return to8(255 * denoise_tv_chambolle(x / 255.0, weight=weight, channel_axis=-1))


# Degradations of a still (RGB uint8 in, RGB uint8 out) and their labels. "sharp" versions must
# stay silent; "soft" and "painted" ones must raise an alarm.
KINDS = {
    "orig": ("sharp", lambda x: x),
    "usm": ("sharp", lambda x: usm(x, 1.0)),
    "noise4": ("sharp", lambda x: to8(x + np.random.default_rng(4).normal(0, 4, x.shape))),
    "jpeg90": ("sharp", lambda x: cv2.imdecode(cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, 90])[1], 1)),
    "blur1.5": ("soft", lambda x: to8(blur(x, 1.5))),
    "blur2": ("soft", lambda x: to8(blur(x, 2))),
    "downup2_cubic": ("soft", lambda x: down_up(x, 2)),
    "downup2_lanczos_usm": ("soft", lambda x: usm(down_up(x, 2, cv2.INTER_LANCZOS4), 1.5)),
    "downup3_cubic": ("soft", lambda x: down_up(x, 3)),
    "bilateral": ("painted", lambda x: cv2.bilateralFilter(x, 9, 40, 5)),
    "nlmeans": ("painted", lambda x: cv2.fastNlMeansDenoisingColored(x, None, 15, 15, 7, 21)),
    "tv": ("painted", tv),
    "downup_tv_usm": ("painted", lambda x: usm(tv(down_up(x, 2)), 1.0)),
}
# Clips over each photo: (frames 0-74, frames 75-149) degradation, and label.
SWITCHES = ["blur1.5", "downup2_cubic", "downup2_lanczos_usm", "bilateral", "tv", "downup_tv_usm"]


def load_photo(row, root):
    path = row["path"]
    if path.startswith("skimage.data."):
        img = getattr(data, path.rsplit(".", 1)[1])()
    elif path.startswith("skimage/data/"):
        img = io.imread(os.path.join(os.path.dirname(data.__file__), path.split("/", 2)[2]))
    else:
        img = io.imread(os.path.join(root, "x", row["package"], path))
    if img.ndim == 2:
        img = np.stack([img] * 3, -1)
    img = img[..., :3].astype(np.uint8)
    h, w = img.shape[:2]
    scale = min(1.0, 1920 / max(w, h), 1080 / min(w, h))
    if scale < 1:
        img = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    return np.ascontiguousarray(img[: h // 2 * 2, : w // 2 * 2])


def extract(root, packages):
    os.makedirs(os.path.join(root, "debs"), exist_ok=True)
    os.makedirs(os.path.join(root, "x"), exist_ok=True)
    for pkg in sorted(packages):
        target = os.path.join(root, "x", pkg)
        if os.path.isdir(target):
            continue
        debs = os.path.join(root, "debs")
        if not glob.glob(os.path.join(debs, pkg + "_*.deb")):
            if subprocess.run(["apt-get", "download", pkg], cwd=debs).returncode != 0:
                subprocess.run(["apt-get", "update", "-q"], check=True)
                subprocess.run(["apt-get", "download", pkg], cwd=debs, check=True)
        deb = glob.glob(os.path.join(debs, pkg + "_*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, target + ".tmp"], check=True)
        os.rename(target + ".tmp", target)


def clip_size(h, w):
    """A landscape 16:9-ish window that pans over at least a third of the photo's width."""
    cw = min(1280, w * 2 // 3) // 16 * 16
    ch = min(720, h, cw * 9 // 16 * 2) // 16 * 16
    return ch, cw


def frames(first, second, h, w, zoom=False):
    """Yields 150 RGB frames panning left to right; from frame 75 on, over `second`."""
    ph, pw = first.shape[:2]
    n = FPS * SECONDS
    # A zoom goes in from the largest window of the clip's aspect to 70% of it, never past
    # the photo's own pixels.
    big = min(ph / h, pw / w)
    for i in range(n):
        img = first if i < n // 2 or second is None else second
        if zoom:
            s = max(1.0, big * (1.0 - 0.3 * i / (n - 1)))
            zh, zw = int(h * s) // 2 * 2, int(w * s) // 2 * 2
            y0, x0 = (ph - zh) // 2, (pw - zw) // 2
            crop = img[y0 : y0 + zh, x0 : x0 + zw]
            yield cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
            continue
        x = round((pw - w) * i / (n - 1))
        y = (ph - h) // 2
        yield img[y : y + h, x : x + w]


def encode(path, gen, h, w, crf=23):
    tmp = path + ".tmp.mp4"
    p = subprocess.Popen(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
         "-r", str(FPS), "-i", "-", "-c:v", "libx264", "-preset", "superfast", "-crf", str(crf),
         "-threads", "1", "-pix_fmt", "yuv420p", tmp],
        stdin=subprocess.PIPE,
    )
    for f in gen:
        p.stdin.write(np.ascontiguousarray(f).tobytes())
    p.stdin.close()
    if p.wait() != 0:
        raise RuntimeError(f"ffmpeg failed on {path}")
    os.rename(tmp, path)


def build_photo(root, row, neighbour):
    name = row["name"]
    photo = load_photo(row, root)
    cv2.imwrite(os.path.join(root, "photos", name + ".png"), photo[..., ::-1])
    versions = {}
    out = []
    for kind, (label, fn) in KINDS.items():
        path = os.path.join(root, "stills", f"{name}__{kind}.png")
        if os.path.exists(path):
            versions[kind] = cv2.imread(path)[..., ::-1]
        else:
            versions[kind] = fn(photo)
            cv2.imwrite(path, versions[kind][..., ::-1])
        out.append((f"stills/{name}__{kind}.png", "still", kind, label, name))
    h, w = clip_size(*photo.shape[:2])
    clips = {"pan": (None, "sharp", {}), "pan_crf35": (None, "sharp", {"crf": 35}),
             "pan_crf45": (None, "soft", {"crf": 45}), "zoom": (None, "sharp", {"zoom": True}),
             "cut": ("cut", "sharp", {}), "fade": ("fade", "sharp", {}),
             "whole_downup2_cubic": ("whole", "soft", {})}
    for s in SWITCHES:
        clips["switch_" + s] = (s, KINDS[s][0], {})
    for clip, (second, label, opts) in clips.items():
        path = os.path.join(root, "clips", f"{name}__{clip}.mp4")
        out.append((f"clips/{name}__{clip}.mp4", "clip", clip, label, name))
        if os.path.exists(path):
            continue
        first = photo
        if second == "cut":
            second = cover(load_photo(neighbour, root), photo)
        elif second == "fade":
            gen = fade(photo, h, w)
            encode(path, gen, h, w)
            continue
        elif second == "whole":
            first, second = versions["downup2_cubic"], None
        elif second is not None:
            second = versions[second]
        encode(path, frames(first, second, h, w, opts.get("zoom", False)), h, w, opts.get("crf", 23))
    return out


def cover(other, photo):
    """`other` downscaled to cover `photo`'s size and centre-cropped; `photo` upside down when
    `other` would have to be upscaled."""
    (ph, pw), (oh, ow) = photo.shape[:2], other.shape[:2]
    scale = max(ph / oh, pw / ow)
    if scale > 1:
        return np.ascontiguousarray(photo[::-1])
    o = cv2.resize(other, (max(pw, round(ow * scale)), max(ph, round(oh * scale))), interpolation=cv2.INTER_AREA)
    y, x = (o.shape[0] - ph) // 2, (o.shape[1] - pw) // 2
    return np.ascontiguousarray(o[y : y + ph, x : x + pw])


def fade(photo, h, w):
    """A pan that fades to black over 1 s at 4 s, holds black 1 s, and fades back in 1 s."""
    n = FPS * SECONDS
    for i, f in enumerate(frames(photo, None, h, w)):
        t = i / FPS
        g = 1.0 if t < 4 else max(0.0, 1 - (t - 4)) if t < 5 else 0.0 if t < 6 else min(1.0, t - 6)
        yield to8(f.astype(np.float64) * g) if g < 1 else f


def build_videos(root):
    out = []
    for row in csv.DictReader(open(os.path.join(HERE, "calibration", "videos.tsv")), delimiter="\t"):
        src = os.path.join(root, "x", row["package"], row["path"])
        path = os.path.join(root, "clips", f"video__{row['name']}.mp4")
        if not os.path.exists(path):
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", src, "-c:v", "libx264", "-preset",
                            "superfast", "-crf", "23", "-threads", "1", "-pix_fmt", "yuv420p", "-an",
                            path + ".tmp.mp4"], check=True)
            os.rename(path + ".tmp.mp4", path)
        out.append((f"clips/video__{row['name']}.mp4", "clip", "video", row["label"], row["name"]))
    return out


def main():
    root = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    rows = list(csv.DictReader(open(os.path.join(HERE, "calibration", "photos.tsv")), delimiter="\t"))
    videos = list(csv.DictReader(open(os.path.join(HERE, "calibration", "videos.tsv")), delimiter="\t"))
    extract(root, {r["package"] for r in rows + videos if "(PyPI)" not in r["package"]})
    for d in ("photos", "stills", "clips"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    todo = [(r, rows[(i + 1) % len(rows)]) for i, r in enumerate(rows) if not only or r["name"] in only]
    manifest = build_videos(root)
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        for i, out in enumerate(pool.map(build_photo, [root] * len(todo), *zip(*todo))):
            manifest += out
            print(f"{i + 1}/{len(todo)} {todo[i][0]['name']}", flush=True)
    with open(os.path.join(root, "manifest.tsv"), "w") as f:
        f.write("file\ttype\tkind\tlabel\tsource\n")
        for m in manifest:
            f.write("\t".join(m) + "\n")


if __name__ == "__main__":
    main()
