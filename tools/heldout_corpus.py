"""Builds a held-out corpus in the layout of ../shared/corpus from photos bundled with
scikit-image that the shared corpus does not use, so `corpus_check` can be run on pictures
the constants were not chosen on.

Degradations, gray conversion and peers follow ../shared/corpus/README.md: Gaussian blur
(scipy, reflect, truncate 4), down-up (OpenCV INTER_AREA down, INTER_CUBIC up), blur 2 +
Gaussian noise sigma 5, JPEG; peers blur_effect (h_size 11), Laplacian variance (ksize 1
and 3), Tenengrad (Sobel 3x3) and ffmpeg blurdetect (needs ffmpeg on PATH).

Usage: python heldout_corpus.py OUT_DIR FLAT_DIR
"""

import os
import re
import shutil
import subprocess
import sys

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter
from skimage import data, io
from skimage.measure import blur_effect

# Photos that are not in the shared corpus, cropped to even sizes (x264 needs them).
def sources():
    here = os.path.dirname(data.__file__)
    hubble = data.hubble_deep_field()
    retina = io.imread(os.path.join(here, "retina.jpg"))
    c = retina.shape[0] // 2
    return {
        "coffee": data.coffee(),
        "gravel": data.gravel(),
        "motorcycle": io.imread(os.path.join(here, "motorcycle_left.png"))[:, :740, :3],
        "moon": data.moon(),
        "page": data.page()[:190, :],
        "hubble": hubble[:600, :800],
        "ihc": data.immunohistochemistry(),
        "retina": retina[c - 320 : c + 320, c - 320 : c + 320],
        "cell": data.cell(),
    }

COLOR = ("coffee", "motorcycle", "ihc")


def gray601(rgb):
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    return np.clip(np.round(0.299 * r + 0.587 * g + 0.114 * b), 0, 255).astype(np.uint8)


def to8(x):
    return np.clip(np.round(x), 0, 255).astype(np.uint8)


def blur(x, sigma):
    if x.ndim == 3:
        return np.stack([blur(x[..., i], sigma) for i in range(x.shape[2])], -1)
    return gaussian_filter(x.astype(np.float64), sigma, mode="reflect", truncate=4)


def label(v):
    return str(int(v)) if float(v) == int(v) else str(v)


def degradations(img):
    h, w = img.shape[:2]
    yield "blur", "0", img
    for s in (0.5, 1, 1.5, 2, 3, 4):
        yield "blur", label(s), to8(blur(img, s))
    for f in (1.25, 1.5, 2, 3, 4):
        down = cv2.resize(img, (round(w / f), round(h / f)), interpolation=cv2.INTER_AREA)
        yield "downup", label(f), cv2.resize(down, (w, h), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(7).normal(0, 5, img.shape)
    yield "noise", "5", to8(blur(img, 2) + noise)
    for q in (95, 50, 20):
        _, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
        yield "jpeg", str(q), cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)


def blurdetect(gray, tmp):
    cv2.imwrite(tmp, gray)
    out = subprocess.run(
        ["ffmpeg", "-hide_banner", "-i", tmp, "-vf", "format=gray,blurdetect,metadata=print",
         "-f", "null", "-"],
        capture_output=True, text=True).stderr
    found = re.findall(r"lavfi\.blur=(\S+)", out)
    return found[-1] if found else "nan"


def main(out, flat):
    for d in ("gray", "color"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    shutil.copytree(flat, os.path.join(out, "flat"), dirs_exist_ok=True)
    tmp = os.path.join(out, "blurdetect.png")
    peers = ["image,source,mode,degradation,level,width,height,blur_effect,lapvar_k1,"
             "lapvar_k3,tenengrad,ffmpeg_blurdetect"]
    for name, img in sources().items():
        gray = gray601(img) if img.ndim == 3 else img.astype(np.uint8)
        modes = [("gray", gray)] + ([("color", img)] if name in COLOR else [])
        for mode, base in modes:
            for deg, level, pic in degradations(base):
                path = f"{mode}/{name}__{deg}__{level}.png"
                bgr = cv2.cvtColor(pic, cv2.COLOR_RGB2BGR) if pic.ndim == 3 else pic
                cv2.imwrite(os.path.join(out, path), bgr)
                g = gray601(pic) if pic.ndim == 3 else pic
                f = g.astype(np.float64)
                gx = cv2.Sobel(f, cv2.CV_64F, 1, 0, ksize=3)
                gy = cv2.Sobel(f, cv2.CV_64F, 0, 1, ksize=3)
                peers.append(",".join(str(v) for v in (
                    path, name, mode, deg, level, g.shape[1], g.shape[0],
                    blur_effect(g, h_size=11),
                    cv2.Laplacian(f, cv2.CV_64F, ksize=1).var(),
                    cv2.Laplacian(f, cv2.CV_64F, ksize=3).var(),
                    (gx * gx + gy * gy).mean(),
                    blurdetect(g, tmp))))
    os.remove(tmp)
    # The flat frames' peers come with them from the shared corpus.
    shared = os.path.join(os.path.dirname(os.path.abspath(flat)), "peers.csv")
    peers += [l for l in open(shared).read().splitlines() if l.startswith("flat/")]
    with open(os.path.join(out, "peers.csv"), "w") as f:
        f.write("\n".join(peers) + "\n")
    print(f"{len(peers) - 1} images in {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
