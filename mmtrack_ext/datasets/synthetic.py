"""Procedural single-object tracking sequences in the GOT-10k layout.

The generator renders short videos of one *target* moving over a scene and
writes them exactly like GOT-10k (``{root}/{split}/list.txt``,
``{seq}/00000001.jpg ...``, ``groundtruth.txt``, ``absence.label``,
``cover.label``, ``meta_info.ini``). It is meant to teach a tracker
*appearance matching* (find the object that looks like the template), so it
models the nuisances that defeat shortcuts such as "track the salient blob"
or "track the thing near the centre":

* **Targets** are sprites: a procedural texture (multi-octave value noise,
  stripes / plaid, checker, blobs, gradients, "logos" of primitives and
  letters, dead-leaves patches, flat colours, mixtures of two of them, or crops
  of real photos) cut out by a shape (rectangle, rounded rectangle, ellipse,
  random polygon, organic blob, union of parts) with soft edges, optional
  shading and grain.
* **Motion**: smooth steering between random way-points (velocity +
  inertia + noise), occasional abrupt kicks, a moving / shaking camera that
  shifts the whole scene, smooth scale and aspect-ratio changes (the texture
  stretches), mild in-plane rotation on some sequences, and a slow change of
  the target's brightness on others.
* **Distractors**: "twins" (same texture family and palette, other
  layout), recoloured copies of the target (hue shift / channel swap /
  brightness), static target-like copies baked into the background, and other
  random objects. They move on their own, sometimes steer through the target
  and may pass in front of it. Copies that would be nearly identical to the
  target (mean absolute difference < 24 grey levels) get their colours
  shifted, so the task stays hard but well-posed.
* **Occlusion**: occluders (poles, bars, blobs, boxes textured like the
  scene) cross the target, partially or fully.
* **Out of view**: on some sequences the target leaves the frame, stays out
  for a few frames and comes back. Its true (outside) box is still written.
* **Image formation**: procedural backgrounds (noise, gradients,
  dead-leaves clutter, patterns, two-region "horizon" scenes, defocus),
  illumination changes (global gain, steps, static shadows / tint map),
  camera and object motion blur, sensor noise and JPEG compression.
* With ``photo_dir``, backgrounds, targets, distractors and occluders are also
  cut from random crops of real photos (mixed with procedural ones).

Conventions (see ``mmtrack_ext/structures/boxes.py``): pixel ``i`` covers the
continuous interval ``[i, i + 1)``; boxes are 0-based ``xywh`` in the files and
are the tight box of the target's full shape, also where it lies partly or
entirely outside the image. ``absence`` is 1 exactly when that box does not
overlap the image. ``cover`` bins the visible fraction ``v`` of the target's
pixels (inside the image and not hidden by objects in front)::

    cover = 0                      if v < 0.01   (invisible)
    cover = clip(ceil(8 * v), 1, 8) otherwise     (8: more than 87.5 % visible)

so ``cover / 8`` is an upper bound of the visible ratio, as GOT-10k readers
assume. Frame 0 always shows the whole target unoccluded (``cover`` 8).

Sequence names are ``Synthetic_{Split}_{index:06d}`` with the 1-based index and
the split capitalised (``Synthetic_Train_000001``, ``Synthetic_Val_000001``).
Every sequence is seeded from ``(seed, split, index)`` only, so the output is
byte-identical whatever the number of worker processes. The val split draws
hard events (exits, distractors, occluders, illumination changes) 15 % more
often than train. Besides GOT-10k's files, every split folder gets
``generation.json`` (the generation parameters; a split is regenerated when
they change).

Speed: about 1,100-1,300 frames/s per CPU core at 320x240 including JPEG
encoding and writing (plan ~0.1 ms, render ~0.3 ms, JPEG ~0.2 ms a frame);
sequences are spread over worker processes.
"""
import hashlib
import json
import math
import multiprocessing as mp
import os
import os.path as osp
import re
import shutil
import sys
import time
import zlib
from collections import OrderedDict
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np

__all__ = [
    'make_synthetic_dataset', 'generate_split', 'generate_sequence',
    'write_sequence', 'cover_from_visible_ratio', 'sequence_name',
    'list_photos'
]

#: bumped whenever the rendered output changes (forces regeneration)
GENERATOR_VERSION = 1
#: name of the completion marker written in every generated split folder
MARKER_NAME = 'generation.json'
_PROGRESS_NAME = '.generation_in_progress.json'
PHOTO_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')
TAU = 2.0 * math.pi


# --------------------------------------------------------------------------
# names and labels
# --------------------------------------------------------------------------
def sequence_name(split: str, index: int) -> str:
    """``Synthetic_{Split}_{index + 1:06d}`` for the 0-based ``index``."""
    return f'Synthetic_{split.capitalize()}_{index + 1:06d}'


def cover_from_visible_ratio(ratio):
    """GOT-10k style ``cover`` label (0-8) of a visible fraction (0-1).

    ``0`` when less than 1 % of the target is visible, otherwise
    ``ceil(8 * ratio)`` clipped to ``[1, 8]``. Works on scalars and arrays.
    """
    r = np.asarray(ratio, dtype=np.float64)
    cover = np.clip(np.ceil(8.0 * r - 1e-9), 1, 8).astype(np.uint8)
    cover = np.where(r < 0.01, 0, cover).astype(np.uint8)
    return int(cover) if cover.ndim == 0 else cover


def _labels(boxes_xyxy: np.ndarray, ratios: np.ndarray, width: int,
            height: int):
    """Rounded ``xywh`` boxes, ``absence`` and ``cover`` of a sequence."""
    xywh = boxes_xyxy.astype(np.float64).copy()
    xywh[:, 2:] -= xywh[:, :2]
    xywh = np.round(xywh, 4)
    x, y, w, h = xywh.T
    absence = ((x + w <= 0) | (y + h <= 0) | (x >= width) |
               (y >= height)).astype(np.uint8)
    cover = cover_from_visible_ratio(ratios)
    cover[absence == 1] = 0
    return xywh, absence, cover


# --------------------------------------------------------------------------
# colours and procedural textures
# --------------------------------------------------------------------------
def _hsv_to_bgr(h, s, v) -> np.ndarray:
    hsv = np.stack([np.asarray(h) % 180, s, v], -1).astype(np.uint8)
    return cv2.cvtColor(hsv.reshape(1, -1, 3), cv2.COLOR_HSV2BGR)[0]


def _palette(rng: np.random.Generator, n: int) -> np.ndarray:
    """``(n, 3)`` uint8 BGR colours (random, analogous, complementary...)."""
    h0 = rng.uniform(0, 180)
    mode = rng.integers(4)
    if mode == 0:  # unrelated colours
        hues = rng.uniform(0, 180, n)
    elif mode == 1:  # analogous
        hues = h0 + rng.uniform(-20, 20, n)
    elif mode == 2:  # complementary
        hues = h0 + 90 * rng.integers(0, 2, n) + rng.uniform(-10, 10, n)
    else:  # one hue, several values
        hues = np.full(n, h0)
    sat = 255 * rng.beta(1.3, 1.3, n)
    val = rng.uniform(25, 255, n)
    if rng.random() < 0.7:  # make sure there is some contrast
        val[rng.integers(n)] = rng.uniform(15, 90)
        val[rng.integers(n)] = rng.uniform(150, 255)
    return _hsv_to_bgr(hues, sat, val)


def _jitter_palette(rng, pal: np.ndarray, amount: float = 12) -> np.ndarray:
    return np.clip(
        pal.astype(np.float32) + rng.normal(0, amount, pal.shape), 0,
        255).astype(np.uint8)


def _colorize(field: np.ndarray, pal: np.ndarray, rng) -> np.ndarray:
    """Map a ``(h, w)`` float field in ``[0, 1]`` to BGR through a palette."""
    n = len(pal)
    stops = np.sort(rng.uniform(0, 1, n))
    stops[0], stops[-1] = 0.0, 1.0
    xs = np.linspace(0, 1, 256)
    lut = np.stack([np.interp(xs, stops, pal[:, c]) for c in range(3)], -1)
    lut = lut.astype(np.uint8).reshape(256, 1, 3)
    idx = cv2.convertScaleAbs(field, alpha=255.0)
    return cv2.LUT(cv2.merge([idx, idx, idx]), lut)


def _normalize(f: np.ndarray) -> np.ndarray:
    lo, hi = float(f.min()), float(f.max())
    return (f - lo) * (1.0 / max(hi - lo, 1e-6))


def _fbm(rng,
         h: int,
         w: int,
         cells: float = 3.0,
         octaves: int = 4,
         persistence: float = 0.5) -> np.ndarray:
    """Multi-octave value noise, ``(h, w)`` float32 in ``[0, 1]``.

    ``cells`` is the number of noise cells along the longer side of the
    coarsest octave; every octave doubles it (up to half the size)
    and weighs its noise by ``persistence``.
    """
    side = max(h, w)
    gh = max(2, int(round(cells * h / side)) + 1)
    gw = max(2, int(round(cells * w / side)) + 1)
    f = rng.random((gh, gw), dtype=np.float32)
    amp = 1.0
    for _ in range(octaves - 1):
        if gw * 2 > w / 2 + 2 or gh * 2 > h / 2 + 2:
            break
        gh, gw = gh * 2, gw * 2
        f = cv2.resize(f, (gw, gh), interpolation=cv2.INTER_CUBIC)
        amp *= persistence
        f += amp * rng.random((gh, gw), dtype=np.float32)
    f = cv2.resize(f, (w, h), interpolation=cv2.INTER_CUBIC)
    return _normalize(f)


def _coords(h: int, w: int, theta: float):
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    c, s = math.cos(theta), math.sin(theta)
    return xs * c + ys * s, -xs * s + ys * c


def _soft_threshold(f, sharpness):
    f = (f - 0.5) * sharpness + 0.5
    return np.clip(f, 0, 1, out=f)


def _tex_noise(rng, h, w, pal):
    f = _fbm(rng,
             h,
             w,
             cells=rng.uniform(1.5, 8),
             octaves=rng.integers(1, 6),
             persistence=rng.uniform(0.35, 0.7))
    if rng.random() < 0.4:  # camouflage-like patches
        f = _soft_threshold(f, rng.uniform(2, 12))
    return _colorize(f, pal, rng)


def _tex_stripes(rng, h, w, pal):
    side = min(h, w)
    u, v = _coords(h, w, rng.uniform(0, math.pi))
    period = rng.uniform(3, max(4, side / 1.5))
    if rng.random() < 0.4:  # wavy stripes
        u = u + _fbm(rng, h, w, 2, 2) * rng.uniform(0.3, 2) * period
    f = 0.5 + 0.5 * np.sin(u * (TAU / period) + rng.uniform(0, TAU))
    if rng.random() < 0.35:  # plaid
        p2 = rng.uniform(3, max(4, side / 1.5))
        f = 0.5 * (f + 0.5 + 0.5 * np.sin(v * (TAU / p2)))
    if rng.random() < 0.6:
        f = _soft_threshold(f, rng.uniform(2, 20))
    return _colorize(f, pal, rng)


def _tex_checker(rng, h, w, pal):
    cell = rng.uniform(3, max(4, min(h, w) / 2.5))
    u, v = _coords(h, w,
                   rng.uniform(0, math.pi / 2) if rng.random() < 0.5 else 0.0)
    f = ((np.floor(u / cell) + np.floor(v / cell * rng.uniform(0.5, 2))) %
         2).astype(np.float32)
    out = np.empty((h, w, 3), np.uint8)
    out[...] = pal[0]
    out[f > 0.5] = pal[1]
    return out


def _draw_random_primitive(rng, img, color, scale: float):
    """One anti-aliased filled primitive (or thick line / letter)."""
    h, w = img.shape[:2]
    color = tuple(int(c) for c in color)
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    r = max(1.0, scale * rng.uniform(0.3, 1.0))
    kind = rng.integers(6)
    sh = 16
    if kind == 0:
        cv2.circle(img, (int(cx * sh), int(cy * sh)), int(r * sh), color, -1,
                   cv2.LINE_AA, 4)
    elif kind == 1:
        cv2.ellipse(img, (int(cx * sh), int(cy * sh)),
                    (int(r * sh), int(r * rng.uniform(0.3, 1) * sh)),
                    rng.uniform(0, 180), 0, 360, color, -1, cv2.LINE_AA, 4)
    elif kind in (2, 3):
        n = 4 if kind == 2 else rng.integers(3, 7)
        ang = np.sort(rng.uniform(0, TAU, n)) if kind == 3 else \
            np.array([0.25, 0.75, 1.25, 1.75]) * math.pi + rng.uniform(0, 3)
        rad = r * (rng.uniform(0.5, 1.2, n) if kind == 3 else 1.0)
        pts = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], -1)
        cv2.fillPoly(img, [(pts * sh).astype(np.int32)], color, cv2.LINE_AA, 4)
    elif kind == 4:
        a = rng.uniform(0, TAU)
        d = r * rng.uniform(1, 3)
        p1 = (int((cx - d * math.cos(a)) * sh), int(
            (cy - d * math.sin(a)) * sh))
        p2 = (int((cx + d * math.cos(a)) * sh), int(
            (cy + d * math.sin(a)) * sh))
        cv2.line(img, p1, p2, color, max(1, int(r * rng.uniform(0.1, 0.5))),
                 cv2.LINE_AA, 4)
    else:
        ch = chr(int(rng.choice([rng.integers(65, 91), rng.integers(48, 58)])))
        fs = max(0.3, r / 12)
        cv2.putText(img, ch, (int(cx - r * 0.6), int(cy + r * 0.6)),
                    int(rng.choice([0, 1, 2, 3, 4, 6, 7])), fs, color,
                    max(1, int(fs * rng.uniform(1, 3))), cv2.LINE_AA)


def _tex_blobs(rng, h, w, pal):
    img = np.empty((h, w, 3), np.uint8)
    img[...] = pal[0]
    scale = min(h, w) * rng.uniform(0.08, 0.3)
    for _ in range(int(rng.integers(3, 25))):
        col = pal[rng.integers(1, len(pal))] if len(pal) > 1 else pal[0]
        c = tuple(int(x) for x in col)
        rr = max(1.0, scale * rng.uniform(0.3, 1.0))
        cv2.ellipse(img,
                    (int(rng.uniform(0, w) * 16), int(rng.uniform(0, h) * 16)),
                    (int(rr * 16), int(rr * rng.uniform(0.4, 1) * 16)),
                    rng.uniform(0, 180), 0, 360, c, -1, cv2.LINE_AA, 4)
    return img


def _tex_gradient(rng, h, w, pal):
    if rng.random() < 0.5:
        u, _ = _coords(h, w, rng.uniform(0, TAU))
        f = _normalize(u)
    else:
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        f = _normalize(np.sqrt((xs - cx)**2 + (ys - cy)**2))
    f = np.clip(f + (_fbm(rng, h, w, 4, 3) - 0.5) * rng.uniform(0, 0.4), 0, 1)
    return _colorize(f, pal, rng)


def _tex_logo(rng, h, w, pal):
    img = np.empty((h, w, 3), np.uint8)
    img[...] = pal[0]
    for _ in range(int(rng.integers(2, 8))):
        col = pal[rng.integers(1, len(pal))] if len(pal) > 1 else 255 - pal[0]
        _draw_random_primitive(rng, img, col,
                               min(h, w) * rng.uniform(0.15, 0.5))
    return img


def _tex_solid(rng, h, w, pal):
    f = _fbm(rng, h, w, 2, 2) * rng.uniform(0.05, 0.3)
    base = pal[0].astype(np.float32)
    out = base[None, None] * (0.85 + f[..., None])
    return np.clip(out, 0, 255).astype(np.uint8)


def _dead_leaves(rng, h, w, pal, n: int, rmin: float, rmax: float):
    """Dead-leaves image: ``n`` occluding shapes with ``r^-3`` size law."""
    img = np.empty((h, w, 3), np.uint8)
    img[...] = pal[rng.integers(len(pal))]
    u = rng.random(n)
    radii = (rmin**-2 - u * (rmin**-2 - rmax**-2))**-0.5
    cols = np.clip(
        pal[rng.integers(0, len(pal), n)].astype(np.float32) *
        rng.uniform(0.6, 1.25, (n, 1)) + rng.normal(0, 12, (n, 3)), 0,
        255).astype(np.int32)
    xs, ys = rng.uniform(0, w, n) * 16, rng.uniform(0, h, n) * 16
    kinds = rng.integers(0, 3, n)
    angs = rng.uniform(0, 180, n)
    ecc = rng.uniform(0.3, 1.0, n)
    for i in range(n):
        c = (int(cols[i, 0]), int(cols[i, 1]), int(cols[i, 2]))
        r16 = int(radii[i] * 16)
        if kinds[i] == 0:
            cv2.circle(img, (int(xs[i]), int(ys[i])), r16, c, -1, cv2.LINE_AA,
                       4)
        elif kinds[i] == 1:
            cv2.ellipse(img, (int(xs[i]), int(ys[i])),
                        (r16, int(r16 * ecc[i])), angs[i], 0, 360, c, -1,
                        cv2.LINE_AA, 4)
        else:
            box = cv2.boxPoints(
                ((xs[i], ys[i]), (r16 * 2.0, r16 * 2 * ecc[i]), angs[i]))
            cv2.fillPoly(img, [box.astype(np.int32)], c, cv2.LINE_AA, 4)
    return img


def _tex_leaves(rng, h, w, pal):
    side = min(h, w)
    return _dead_leaves(rng, h, w, pal, int(rng.integers(10, 60)),
                        max(1.0, side * 0.03), side * 0.4)


_TEXTURES = {
    'noise': _tex_noise,
    'stripes': _tex_stripes,
    'checker': _tex_checker,
    'blobs': _tex_blobs,
    'gradient': _tex_gradient,
    'logo': _tex_logo,
    'solid': _tex_solid,
    'leaves': _tex_leaves,
}
_TEXTURE_P = {
    'noise': 0.2,
    'stripes': 0.12,
    'checker': 0.07,
    'blobs': 0.12,
    'gradient': 0.08,
    'logo': 0.18,
    'solid': 0.1,
    'leaves': 0.13
}


def _shade(rng,
           img: np.ndarray,
           strength: float = 0.35,
           grain: bool = True) -> np.ndarray:
    """Multiply by a smooth linear / radial light field; optional grain."""
    h, w = img.shape[:2]
    if rng.random() < 0.6:
        gh, gw = max(2, h // 8), max(2, w // 8)
        if rng.random() < 0.5:
            u, _ = _coords(gh, gw, rng.uniform(0, TAU))
            f = _normalize(u)
        else:
            ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
            f = 1 - _normalize(((xs - gw * rng.uniform(0.2, 0.8)) / gw)**2 +
                               ((ys - gh * rng.uniform(0.2, 0.8)) / gh)**2)
        k = rng.uniform(0.1, strength)
        f = cv2.resize((1 - k) + 2 * k * f, (w, h),
                       interpolation=cv2.INTER_LINEAR)
        f8 = cv2.convertScaleAbs(f, alpha=128.0)
        img = cv2.multiply(img, cv2.merge([f8, f8, f8]), scale=1 / 128.0)
    if grain and h * w <= 40000 and rng.random() < 0.5:
        sigma = rng.uniform(2, 8)
        nz = rng.normal(0, sigma, (h, w, 1 if rng.random() < 0.5 else 3))
        img = np.clip(img + nz.astype(np.float32), 0, 255).astype(np.uint8)
    return img


# --------------------------------------------------------------------------
# photos
# --------------------------------------------------------------------------
def list_photos(photo_dir: str) -> List[str]:
    """Sorted absolute paths of the images under ``photo_dir`` (recursive)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(photo_dir, followlinks=True):
        dirnames.sort()
        for fn in sorted(filenames):
            if fn.lower().endswith(PHOTO_EXTENSIONS):
                out.append(osp.join(dirpath, fn))
    return sorted(out)


def _photos_fingerprint(paths: Sequence[str], root: str) -> Dict:
    h = hashlib.sha1()
    for p in paths:
        h.update(f'{osp.relpath(p, root)}:{osp.getsize(p)}\n'.encode())
    return dict(count=len(paths), sha1=h.hexdigest())


_PHOTO_CACHE: 'OrderedDict[str, Optional[np.ndarray]]' = OrderedDict()
_PHOTO_CACHE_SIZE = 48
_PHOTO_MAX_SIDE = 800


def _load_photo(path: str) -> Optional[np.ndarray]:
    """BGR photo, down-scaled to at most 800 px (per-process LRU cache)."""
    if path in _PHOTO_CACHE:
        _PHOTO_CACHE.move_to_end(path)
        return _PHOTO_CACHE[path]
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is not None:
        s = _PHOTO_MAX_SIDE / max(img.shape[:2])
        if s < 1:
            img = cv2.resize(img, (max(1, round(
                img.shape[1] * s)), max(1, round(img.shape[0] * s))),
                             interpolation=cv2.INTER_AREA)
        if min(img.shape[:2]) < 8:
            img = None
    _PHOTO_CACHE[path] = img
    while len(_PHOTO_CACHE) > _PHOTO_CACHE_SIZE:
        _PHOTO_CACHE.popitem(last=False)
    return img


class _PhotoBank:
    """Random crops of a list of photos."""

    def __init__(self, paths: Sequence[str]):
        self.paths = list(paths)

    def __bool__(self):
        return bool(self.paths)

    def crop(self, rng, w: int, h: int, rel=(0.15, 1.0), near=None):
        """``(h, w, 3)`` crop resized to ``w x h`` and where it was taken.

        ``rel`` is the crop size relative to the largest crop of that aspect;
        ``near`` = ``(photo_index, x, y, cw, ch)`` takes it close to a
        previous crop (similar-looking distractors).
        """
        for _ in range(4):
            idx = int(rng.integers(len(
                self.paths))) if near is None else near[0]
            img = _load_photo(self.paths[idx])
            if img is not None:
                break
        else:
            return None, None
        ih, iw = img.shape[:2]
        aspect = w / h
        full_w = min(iw, ih * aspect)
        cw = max(2.0, full_w * rng.uniform(*rel))
        if near is not None:
            cw = near[3] * rng.uniform(0.8, 1.25)
        cw = min(cw, full_w)
        ch = cw / aspect
        if near is None:
            x, y = rng.uniform(0, iw - cw), rng.uniform(0, ih - ch)
        else:
            x = np.clip(near[1] + rng.normal(0, cw), 0, iw - cw)
            y = np.clip(near[2] + rng.normal(0, ch), 0, ih - ch)
        x0, y0 = int(x), int(y)
        x1, y1 = max(x0 + 1, int(x + cw)), max(y0 + 1, int(y + ch))
        patch = img[y0:y1, x0:x1]
        interp = cv2.INTER_AREA if cw > w else cv2.INTER_LINEAR
        out = cv2.resize(patch, (w, h), interpolation=interp)
        if rng.random() < 0.5:
            out = out[:, ::-1].copy()
        return out, (idx, x, y, cw, ch)


# --------------------------------------------------------------------------
# shapes and sprites
# --------------------------------------------------------------------------
_SHAPES = ('rect', 'rounded', 'ellipse', 'polygon', 'blob', 'parts')
_SHAPE_P = (0.22, 0.18, 0.2, 0.17, 0.12, 0.11)


def _shape_mask(rng, kind: str, h: int, w: int) -> np.ndarray:
    """``(h, w)`` uint8 anti-aliased mask (255 inside) spanning the box."""
    m = np.zeros((h, w), np.uint8)
    sh = 16
    if kind == 'rect':
        m[...] = 255
    elif kind == 'rounded':
        r = rng.uniform(0.1, 0.45) * min(h, w)
        cv2.rectangle(m, (int(r), 0), (int(w - 1 - r), h - 1), 255, -1)
        cv2.rectangle(m, (0, int(r)), (w - 1, int(h - 1 - r)), 255, -1)
        for cx, cy in ((r, r), (w - r, r), (r, h - r), (w - r, h - r)):
            cv2.circle(m, (int((cx - 0.5) * sh), int((cy - 0.5) * sh)),
                       int(r * sh), 255, -1, cv2.LINE_AA, 4)
    elif kind == 'ellipse':
        cv2.ellipse(m, (int((w / 2 - 0.5) * sh), int(
            (h / 2 - 0.5) * sh)), (int(w / 2 * sh), int(h / 2 * sh)), 0, 0,
                    360, 255, -1, cv2.LINE_AA, 4)
    elif kind == 'polygon':
        n = int(rng.integers(3, 10))
        ang = np.sort(rng.uniform(0, TAU, n))
        rad = rng.uniform(0.55, 1.0, n) if rng.random() < 0.6 else np.ones(n)
        pts = np.stack([np.cos(ang) * rad, np.sin(ang) * rad], -1)
        pts -= pts.min(0)
        pts /= np.maximum(pts.max(0), 1e-3)
        pts = pts * [w - 1, h - 1]
        cv2.fillPoly(m, [(pts * sh).astype(np.int32)], 255, cv2.LINE_AA, 4)
    elif kind == 'blob':
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        d = ((xs + 0.5) / w * 2 - 1)**2 + ((ys + 0.5) / h * 2 - 1)**2
        f = _fbm(rng, h, w, rng.uniform(1.5, 4), 2) * 0.9 + 0.6 - 0.6 * d
        m = np.clip((f - 0.5) * 6 * 255 + 128, 0, 255).astype(np.uint8)
    else:  # union of parts (e.g. head + body)
        for _ in range(int(rng.integers(2, 5))):
            pw, ph = w * rng.uniform(0.3, 0.8), h * rng.uniform(0.3, 0.8)
            cx, cy = rng.uniform(pw / 2,
                                 w - pw / 2), rng.uniform(ph / 2, h - ph / 2)
            if rng.random() < 0.5:
                cv2.ellipse(m, (int(cx * sh), int(cy * sh)),
                            (int(pw / 2 * sh), int(ph / 2 * sh)), 0, 0, 360,
                            255, -1, cv2.LINE_AA, 4)
            else:
                cv2.rectangle(m, (int(cx - pw / 2), int(cy - ph / 2)),
                              (int(cx + pw / 2), int(cy + ph / 2)), 255, -1)
    if (m >= 128).sum() < 4:
        m[...] = 255
    return m


class _Sprite:
    """An RGBA texture pyramid with its content box and convex hull.

    Attributes:
        levels: RGBA ``uint8`` images; level ``k`` is level 0 down-sampled by
            ``2 ** k``.
        content: ``(x1, y1, x2, y2)`` tight box of the shape (alpha >= 0.5) in
            level-0 texture pixels (continuous coordinates).
        hull: ``(K, 2)`` float convex hull of the shape's pixel corners.
    """

    def __init__(self, rgb: np.ndarray, mask: np.ndarray, margin: int):
        h, w = mask.shape
        th, tw = h + 2 * margin, w + 2 * margin
        th8, tw8 = -(-th // 8) * 8, -(-tw // 8) * 8
        tex = np.zeros((th8, tw8, 4), np.uint8)
        tex[:, :, :3] = cv2.resize(rgb, (tw8, th8),
                                   interpolation=cv2.INTER_LINEAR) \
            if rgb.shape[:2] != (th8, tw8) else rgb
        tex[margin:margin + h, margin:margin + w, 3] = mask
        binary = tex[:, :, 3] >= 128
        x, y, bw, bh = cv2.boundingRect(binary.astype(np.uint8))
        self.content = (float(x), float(y), float(x + bw), float(y + bh))
        # where alpha can be non-zero (the shape's box plus its soft edge)
        self.extent = (max(0.0, x - margin), max(0.0, y - margin),
                       min(float(tw8),
                           x + bw + margin), min(float(th8), y + bh + margin))
        rows = np.nonzero(binary.any(1))[0]
        left = binary[rows].argmax(1)
        right = binary.shape[1] - 1 - binary[rows, ::-1].argmax(1)
        # pixel corners of the left-most and right-most pixel of every row
        pts = np.concatenate([
            np.stack([left, rows], -1),
            np.stack([left, rows + 1], -1),
            np.stack([right + 1, rows], -1),
            np.stack([right + 1, rows + 1], -1)
        ]).astype(np.float32)
        corners = cv2.convexHull(pts).reshape(-1, 2)
        self.hull = cv2.convexHull(corners).reshape(-1, 2).astype(np.float64)
        self.levels = [tex]
        while len(self.levels) < 4 and min(self.levels[-1].shape[:2]) >= 16 \
                and self.levels[-1].shape[0] % 2 == 0 \
                and self.levels[-1].shape[1] % 2 == 0:
            self.levels.append(cv2.pyrDown(self.levels[-1]))
        self.size = (tw8, th8)

    def pose(self, cx, cy, w, h, theta):
        """Level-0 affine ``(M (2, 2), t (2,))`` for a pose.

        The content box is scaled to ``w x h`` frame pixels, rotated by
        ``theta`` radians and centred on ``(cx, cy)``.
        """
        x1, y1, x2, y2 = self.content
        sx, sy = w / (x2 - x1), h / (y2 - y1)
        c, s = math.cos(theta), math.sin(theta)
        m = np.array([[c * sx, -s * sy], [s * sx, c * sy]])
        t = np.array([cx, cy]) - m @ np.array([(x1 + x2) / 2, (y1 + y2) / 2])
        return m, t

    def box(self, m, t) -> Tuple[float, float, float, float]:
        """Tight ``xyxy`` frame box of the shape under the affine ``m, t``."""
        p = self.hull @ m.T + t
        x1, y1 = p.min(0)
        x2, y2 = p.max(0)
        return float(x1), float(y1), float(x2), float(y2)


def _recolor(rng, rgb: np.ndarray) -> np.ndarray:
    """A clearly but not wildly different colouring of a texture."""
    mode = rng.integers(3)
    if mode == 0:
        hsv = cv2.cvtColor(rgb, cv2.COLOR_BGR2HSV)
        shift = rng.uniform(25, 155)
        hsv[..., 0] = ((hsv[..., 0].astype(np.float32) + shift) % 180).astype(
            np.uint8)
        if rng.random() < 0.5:
            hsv[..., 1] = np.clip(hsv[..., 1].astype(np.float32) * 1.3 + 40, 0,
                                  255).astype(np.uint8)
        return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    if mode == 1:
        perm = [(1, 2, 0), (2, 0, 1), (2, 1, 0), (0, 2, 1), (1, 0, 2)]
        return np.ascontiguousarray(rgb[..., list(perm[rng.integers(5)])])
    gain = rng.choice([rng.uniform(0.45, 0.7), rng.uniform(1.35, 1.8)])
    return cv2.convertScaleAbs(rgb,
                               alpha=float(gain),
                               beta=float(rng.uniform(-10, 10)))


def _ensure_different(rng,
                      ref: np.ndarray,
                      img: np.ndarray,
                      min_mad: float = 24.0) -> np.ndarray:
    """Shift the colours of ``img`` when it is nearly identical to ``ref``.

    Distractors must be tellable apart from the target: when the mean
    absolute pixel difference of the two textures (same size) is below
    ``min_mad`` grey levels, every channel of ``img`` is offset by
    ``min_mad``-``min_mad + 30`` levels, away from saturation.
    """
    if img.shape != ref.shape:
        return img
    mad = float(cv2.absdiff(img, ref).mean())
    if mad >= min_mad:
        return img
    means = ref.reshape(-1, 3).mean(0)
    sign = np.where(means < 128, 1.0, -1.0)
    offset = sign * rng.uniform(min_mad, min_mad + 30, 3)
    return np.clip(img.astype(np.int16) + offset.astype(np.int16), 0,
                   255).astype(np.uint8)


# --------------------------------------------------------------------------
# rendering helpers
# --------------------------------------------------------------------------
_KERNEL_CACHE: Dict[Tuple[int, int], Optional[np.ndarray]] = {}


def _line_kernel(vx: float, vy: float) -> Optional[np.ndarray]:
    """Normalised linear motion-blur kernel of length ``|(vx, vy)|`` px.

    The displacement is quantised to 0.5 px and capped at 12 px.
    """
    length = math.hypot(vx, vy)
    if length < 1.5:
        return None
    if length > 12:
        vx, vy = vx * 12 / length, vy * 12 / length
    key = (int(round(vx * 2)), int(round(vy * 2)))
    if key not in _KERNEL_CACHE:
        if len(_KERNEL_CACHE) > 4096:
            _KERNEL_CACHE.clear()
        _KERNEL_CACHE[key] = _make_line_kernel(key[0] / 2, key[1] / 2)
    return _KERNEL_CACHE[key]


def _make_line_kernel(vx: float, vy: float) -> Optional[np.ndarray]:
    length = math.hypot(vx, vy)
    if length < 1.5:
        return None
    n = int(math.ceil(length)) | 1
    k = np.zeros((n * 4, n * 4), np.float32)
    c = n * 2
    cv2.line(k, (int((c - vx * 2) * 16), int((c - vy * 2) * 16)), (int(
        (c + vx * 2) * 16), int((c + vy * 2) * 16)), 1.0, 2, cv2.LINE_AA, 4)
    k = cv2.resize(k, (n, n), interpolation=cv2.INTER_AREA)
    s = k.sum()
    return k / s if s > 0 else None


def _draw(img: np.ndarray,
          sprite: '_Sprite',
          cx,
          cy,
          w,
          h,
          theta,
          blur=None,
          gain: float = 1.0,
          full: bool = False):
    """Warp ``sprite`` to a pose and alpha-blend it into ``img`` in place.

    The pose is the one of :meth:`_Sprite.pose`. Returns ``None`` when
    nothing lands in the image, else ``(alpha, (fx0, fy0, fx1, fy1),
    full_sum)``: the float32 alpha (0-255) of the part inside the image, that
    part's frame rectangle and (with ``full``) the alpha sum of the whole
    warped sprite (0-255 units).
    """
    H, W = img.shape[:2]
    x1c, y1c, x2c, y2c = sprite.content
    sx, sy = w / (x2c - x1c), h / (y2c - y1c)
    c, s = math.cos(theta), math.sin(theta)
    a, b, d, e = c * sx, -s * sy, s * sx, c * sy
    mx, my = (x1c + x2c) * 0.5, (y1c + y2c) * 0.5
    tx, ty = cx - (a * mx + b * my), cy - (d * mx + e * my)
    ex0, ey0, ex1, ey1 = sprite.extent
    px = (a * ex0 + b * ey0, a * ex1 + b * ey0, a * ex0 + b * ey1,
          a * ex1 + b * ey1)
    py = (d * ex0 + e * ey0, d * ex1 + e * ey0, d * ex0 + e * ey1,
          d * ex1 + e * ey1)
    pad = 1 if blur is None else blur.shape[0] // 2 + 1
    x0 = int(math.floor(min(px) + tx)) - pad
    y0 = int(math.floor(min(py) + ty)) - pad
    x1 = int(math.ceil(max(px) + tx)) + pad
    y1 = int(math.ceil(max(py) + ty)) + pad
    fx0, fy0, fx1, fy1 = max(x0, 0), max(y0, 0), min(x1, W), min(y1, H)
    if fx0 >= fx1 or fy0 >= fy1:
        return None
    if not full:
        x0, y0, x1, y1 = fx0, fy0, fx1, fy1
    scale = math.sqrt(sx * sy)
    level, nlev = 0, len(sprite.levels)
    while level + 1 < nlev and scale * (2 << level) <= 1.0:
        level += 1
    f = float(1 << level)
    a, b, d, e = a * f, b * f, d * f, e * f
    mcv = np.array([[a, b, 0.5 * (a + b) + tx - 0.5 - x0],
                    [d, e, 0.5 * (d + e) + ty - 0.5 - y0]])
    warped = cv2.warpAffine(sprite.levels[level],
                            mcv, (x1 - x0, y1 - y0),
                            flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT,
                            borderValue=0)
    if blur is not None:
        warped = cv2.filter2D(warped, -1, blur, borderType=cv2.BORDER_CONSTANT)
    full_sum = float(warped[:, :, 3].sum()) if full else 0.0
    if full:
        sub = warped[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0]
    else:
        sub = warped
    alpha = sub[:, :, 3].astype(np.float32)
    rgb = cv2.cvtColor(sub, cv2.COLOR_BGRA2BGR)
    if gain != 1.0:
        rgb = cv2.convertScaleAbs(rgb, alpha=gain)
    dst = img[fy0:fy1, fx0:fx1]
    # blendLinear divides by the weight sum:
    # (rgb * a + dst * (255 - a)) / 255
    cv2.blendLinear(rgb, dst, alpha, 255.0 - alpha, dst=dst)
    return alpha, (fx0, fy0, fx1, fy1), full_sum


def _rect_overlap(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1


def _boxes_overlap(a, b, margin=0.0) -> bool:
    return not (a[2] + margin <= b[0] or b[2] + margin <= a[0]
                or a[3] + margin <= b[1] or b[3] + margin <= a[1])


# --------------------------------------------------------------------------
# motion
# --------------------------------------------------------------------------
def _simulate_sizes(rng,
                    n: int,
                    s0: float,
                    a0: float,
                    s_range,
                    W: int,
                    H: int,
                    scale_var: float,
                    aspect_var: float,
                    zoom_p: float = 0.0) -> np.ndarray:
    """``(n, 2)`` widths and heights following smooth log-scale/aspect walks.

    ``s = sqrt(w * h)`` stays in ``s_range`` px, ``w <= 0.8 W``,
    ``h <= 0.8 H``; ``scale_var`` / ``aspect_var`` are the log-ranges the walk
    wanders in around the start (new way-points about every 25 frames).
    """
    ls0, la0 = math.log(s0), math.log(a0)
    lo, hi = math.log(s_range[0]), math.log(s_range[1])
    ev = rng.random((n, 3))
    goals = rng.uniform(-1, 1, (n, 2))
    rates = rng.uniform(0.02, 0.08, (n, 2))
    zoom_rates = rng.uniform(0.15, 0.3, n)
    noise = rng.normal(0, 0.004, (n, 2))
    ls, la = ls0, la0
    gs, ga = ls, la
    rate_s, rate_a = rates[0]
    amin, amax = math.log(0.25), math.log(4.0)
    out = np.empty((n, 2))
    for i in range(n):
        out[i, 0] = min(math.exp(ls + la / 2), 0.8 * W)
        out[i, 1] = min(math.exp(ls - la / 2), 0.8 * H)
        if ev[i, 0] < 0.04:
            gs = min(hi, max(lo, ls0 + goals[i, 0] * scale_var))
            rate_s = zoom_rates[i] if ev[i, 2] < zoom_p else rates[i, 0]
        if ev[i, 1] < 0.04:
            ga = min(amax, max(amin, la0 + goals[i, 1] * aspect_var))
            rate_a = rates[i, 1]
        ls += rate_s * (gs - ls) + noise[i, 0]
        la += rate_a * (ga - la) + noise[i, 1]
        ls = min(hi, max(lo, ls))
    return out


def _simulate_path(rng,
                   n: int,
                   W: int,
                   H: int,
                   sizes: np.ndarray,
                   cam_delta: np.ndarray,
                   start,
                   v_typ: float,
                   inertia: float,
                   p_jump: float,
                   exits=(),
                   follow: Optional[np.ndarray] = None,
                   p_follow: float = 0.0,
                   border_goal_p: float = 0.15):
    """Centres ``(n, 2)`` of an object steering between random way-points.

    Args:
        sizes: ``(n, 2)`` object size per frame (px), used for exits.
        cam_delta: ``(n, 2)`` camera displacement between frames (px); the
            object is shifted by ``-cam_delta`` (it lives in the scene).
        v_typ: typical speed (px / frame); ``inertia`` in (0, 1] is how fast
            the velocity follows the desired one.
        p_jump: per-frame probability of an abrupt velocity kick.
        exits: ``(frame, duration)`` pairs: leave the image at ``frame`` and
            stay fully outside for ``duration`` frames.
        follow: ``(n, 2)`` centres of another object to steer at with
            probability ``p_follow`` when picking a way-point.
    """
    px, py = float(start[0]), float(start[1])
    a = rng.uniform(0, TAU)
    sp = v_typ * rng.uniform(0, 1)
    vx, vy = sp * math.cos(a), sp * math.sin(a)
    exits = sorted(exits)
    ei = 0

    def new_goal(t):
        if follow is not None and rng.random() < p_follow:
            k = min(n - 1, t + int(rng.integers(0, 15)))
            return (follow[k, 0] + rng.normal(0, 5),
                    follow[k, 1] + rng.normal(0, 5))
        if rng.random() < border_goal_p:
            return rng.uniform(-0.05, 1.05) * W, rng.uniform(-0.05, 1.05) * H
        return rng.uniform(0.12, 0.88) * W, rng.uniform(0.12, 0.88) * H

    gx, gy = new_goal(0)
    mode, hold, timer = 'in', 0, 0
    out = np.empty((n, 2))
    noise = rng.normal(0, 0.12 * v_typ + 0.05, (n, 2))
    ev = rng.random((n, 2))
    for t in range(n):
        out[t] = px, py
        if t == n - 1:
            break
        w, h = sizes[t]
        if mode == 'in' and ei < len(exits) and t >= exits[ei][0]:
            mode, hold, timer = 'exit', exits[ei][1], 0
            ei += 1
            side = int(rng.integers(4))
            if rng.random() < 0.7:  # usually through the nearest border
                side = int(np.argmin([px, W - px, py, H - py]))
            if side == 0:
                gx, gy = -w / 2 - w * rng.uniform(0.3, 1) - 4, py
            elif side == 1:
                gx, gy = W + w / 2 + w * rng.uniform(0.3, 1) + 4, py
            elif side == 2:
                gx, gy = px, -h / 2 - h * rng.uniform(0.3, 1) - 4
            else:
                gx, gy = px, H + h / 2 + h * rng.uniform(0.3, 1) + 4
        elif mode == 'exit':
            timer += 1
            gone = (px + w * 0.75 < 0 or px - w * 0.75 > W or py + h * 0.75 < 0
                    or py - h * 0.75 > H)
            if gone:
                mode = 'hold'
            elif timer > 80:
                mode = 'in'
                gx, gy = new_goal(t)
        elif mode == 'hold':
            hold -= 1
            if hold <= 0:
                mode = 'return'
                gx, gy = (rng.uniform(0.2, 0.8) * W, rng.uniform(0.2, 0.8) * H)
        elif mode == 'return':
            if 0 < px < W and 0 < py < H:
                mode = 'in'
        elif (px + w * 0.5 < 0 or px - w * 0.5 > W or py + h * 0.5 < 0
              or py - h * 0.5 > H):  # drifted out by accident: come back
            mode = 'return'
            gx, gy = (rng.uniform(0.2, 0.8) * W, rng.uniform(0.2, 0.8) * H)
        dx, dy = gx - px, gy - py
        dist = math.hypot(dx, dy) + 1e-6
        if mode == 'in':
            if dist < max(2.5 * v_typ, 3.0) or ev[t, 0] < 0.015:
                gx, gy = new_goal(t)
            speed = v_typ * min(1.0, 0.25 + dist / (8 * v_typ + 1e-6))
        elif mode == 'exit':
            speed = max(1.5 * v_typ, 3.0, dist / 12.0)
        elif mode == 'return':
            speed = max(2 * v_typ, 4.0, dist / 15.0)
        else:  # hold: stay near the point outside the image
            speed = min(v_typ, 0.2 * dist)
        k = inertia if mode == 'in' else max(inertia, 0.3)
        if mode == 'hold':
            k = 0.5
        vx += k * (dx / dist * speed - vx) + noise[t, 0]
        vy += k * (dy / dist * speed - vy) + noise[t, 1]
        if mode == 'in' and ev[t, 1] < p_jump:
            a = rng.uniform(0, TAU)
            kick = rng.uniform(2, 5) * max(v_typ, 1.0)
            vx += kick * math.cos(a)
            vy += kick * math.sin(a)
        px += vx - cam_delta[t + 1, 0]
        py += vy - cam_delta[t + 1, 1]
    return out


def _simulate_smooth(rng,
                     n: int,
                     lo: float,
                     hi: float,
                     rate: float,
                     sigma: float,
                     start: float = None) -> np.ndarray:
    """Mean-reverting walk towards random levels in ``[lo, hi]``."""
    x = rng.uniform(lo, hi) if start is None else start
    ev = rng.random(n)
    goals = rng.uniform(lo, hi, n)
    noise = rng.normal(0, sigma, n)
    g = goals[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = x
        if ev[i] < 0.05:
            g = goals[i]
        x = min(hi, max(lo, x + rate * (g - x) + noise[i]))
    return out


# --------------------------------------------------------------------------
# the sequence generator
# --------------------------------------------------------------------------
_NOISE_BANK: Dict[Tuple[int, int, bool], Tuple[np.ndarray, np.ndarray]] = {}


def _noise_bank(H: int, W: int, colour: bool):
    """Fixed unit-variance noise ``(H + 64, W + 64, 3)`` split in +/- parts.

    Drawn once per process from a constant seed (so outputs stay
    deterministic); sequences scale it and crop it at random offsets.
    """
    key = (H, W, colour)
    if key not in _NOISE_BANK:
        rng = np.random.default_rng(12345 + int(colour))
        nz = rng.standard_normal((H + 64, W + 64, 3 if colour else 1),
                                 dtype=np.float32)
        if not colour:
            nz = np.repeat(nz, 3, axis=2)
        _NOISE_BANK[key] = (np.maximum(nz, 0), np.maximum(-nz, 0))
    return _NOISE_BANK[key]


class _Obj:
    """A sprite with its per-frame pose (centres, sizes, angles)."""

    def __init__(self,
                 sprite,
                 centers,
                 sizes,
                 angles,
                 blur_p=0.0,
                 exposure=0.0,
                 gain=None,
                 frames=None):
        self.sprite = sprite
        self.centers = centers
        self.sizes = sizes
        self.angles = angles
        self.gain = gain
        self.frames = frames  # (first, last) frame it is drawn in, or None
        self.kernels = {}
        if exposure > 0:
            vel = np.diff(centers, axis=0, prepend=centers[:1])
            for t in range(len(centers)):
                v = vel[t] * exposure
                if abs(v[0]) + abs(v[1]) > 2.5 and blur_p > 0:
                    k = _line_kernel(float(v[0]), float(v[1]))
                    if k is not None:
                        self.kernels[t] = k

    def active(self, t):
        return self.frames is None or self.frames[0] <= t <= self.frames[1]

    def draw(self, img, t, full=False):
        cx, cy = self.centers[t]
        w, h = self.sizes[t]
        return _draw(img,
                     self.sprite,
                     cx,
                     cy,
                     w,
                     h,
                     self.angles[t],
                     blur=self.kernels.get(t),
                     gain=1.0 if self.gain is None else float(self.gain[t]),
                     full=full)

    def box(self, t):
        cx, cy = self.centers[t]
        w, h = self.sizes[t]
        return self.sprite.box(*self.sprite.pose(cx, cy, w, h, self.angles[t]))

    def all_boxes(self) -> np.ndarray:
        """``(n, 4)`` tight ``xyxy`` boxes of every frame (vectorised)."""
        x1, y1, x2, y2 = self.sprite.content
        sx = self.sizes[:, 0] / (x2 - x1)
        sy = self.sizes[:, 1] / (y2 - y1)
        c, s = np.cos(self.angles), np.sin(self.angles)
        hx = self.sprite.hull[:, 0] - (x1 + x2) / 2
        hy = self.sprite.hull[:, 1] - (y1 + y2) / 2
        px = (c * sx)[:, None] * hx - (s * sy)[:, None] * hy
        py = (s * sx)[:, None] * hx + (c * sy)[:, None] * hy
        px += self.centers[:, :1]
        py += self.centers[:, 1:]
        return np.stack([px.min(1), py.min(1), px.max(1), py.max(1)], -1)


class _SequenceGenerator:
    """Plans one sequence from ``(seed, split, index)`` and renders it.

    Planning (trajectories, textures, background) happens in ``__init__``;
    :meth:`frames` yields ``(img (H, W, 3) uint8 BGR, box xyxy, visible
    fraction)`` frame by frame.
    """

    def __init__(self,
                 seed: int,
                 split: str,
                 index: int,
                 frame_size=(320, 240),
                 length_range=(60, 150),
                 length: Optional[int] = None,
                 photos: Sequence[str] = (),
                 difficulty: float = 1.0):
        W, H = int(frame_size[0]), int(frame_size[1])
        self.W, self.H = W, H
        ss = np.random.SeedSequence(
            [int(seed) & 0xFFFFFFFF,
             zlib.crc32(split.encode()),
             int(index)])
        r = [np.random.default_rng(s) for s in ss.spawn(8)]
        self.photos = _PhotoBank(photos)
        hard = difficulty * (1.0 if split == 'train' else 1.15)
        self.hard = hard
        rng = r[0]
        n = int(length) if length else int(
            rng.integers(length_range[0], length_range[1] + 1))
        self.n = n
        side = math.sqrt(W * H)
        self.jpeg_quality = int(rng.integers(80, 96))
        meta = {}

        # ---- camera -----------------------------------------------------
        padx, pady = int(round(0.3 * W)), int(round(0.3 * H))
        self.canvas_size = (W + 2 * padx, H + 2 * pady)
        cam = np.empty((n, 2))
        pos = [
            padx * (1 + rng.uniform(-0.5, 0.5)),
            pady * (1 + rng.uniform(-0.5, 0.5))
        ]
        moving = rng.random() < 0.6
        shake = rng.uniform(0.5, 2.5) if rng.random() < 0.15 * hard else 0.0
        cv_typ = rng.uniform(0.3, 3.0) if moving else 0.0
        ang = rng.uniform(0, TAU)
        vel = [math.cos(ang) * cv_typ, math.sin(ang) * cv_typ]
        noise = rng.normal(0, 1, (n, 3))
        lims = (2 * padx, 2 * pady)
        for t in range(n):
            cam[t] = pos
            if moving:
                ang += 0.08 * noise[t, 0]
                des = (math.cos(ang) * cv_typ, math.sin(ang) * cv_typ)
                for k in (0, 1):
                    vel[k] += 0.1 * (des[k] -
                                     vel[k]) + 0.1 * cv_typ * noise[t, k + 1]
                    pos[k] += vel[k]
                    if pos[k] < 0 or pos[k] > lims[k]:
                        vel[k] = -vel[k]
                        ang = math.atan2(vel[1], vel[0])
                        pos[k] = min(max(pos[k], 0), lims[k])
        cam_i = np.round(cam).astype(np.int64)
        if shake > 0:
            cam_i[1:] += np.round(rng.normal(0, shake,
                                             (n - 1, 2))).astype(np.int64)
        cam_i[:, 0] = np.clip(cam_i[:, 0], 0, 2 * padx)
        cam_i[:, 1] = np.clip(cam_i[:, 1], 0, 2 * pady)
        self.cam = cam_i
        cam_delta = np.zeros((n, 2))
        cam_delta[1:] = np.diff(cam_i, axis=0)
        meta['camera_motion'] = ('shaky ' if shake else
                                 '') + ('panning' if moving else 'static')

        # ---- target -----------------------------------------------------
        rng = r[1]
        s_range = (0.04 * side, 0.40 * side)
        s0 = math.exp(rng.uniform(math.log(0.06 * side),
                                  math.log(0.30 * side)))
        a0 = math.exp(np.clip(rng.normal(0, 0.45), -1.2, 1.2))
        sizes = _simulate_sizes(rng,
                                n,
                                s0,
                                a0,
                                s_range,
                                W,
                                H,
                                scale_var=math.log(rng.uniform(1.25, 2.5)),
                                aspect_var=math.log(rng.uniform(1.1, 1.6)),
                                zoom_p=0.2 * hard)
        rotating = rng.random() < 0.35
        if rotating:
            angles = np.radians(
                _simulate_smooth(rng,
                                 n,
                                 -20,
                                 20,
                                 0.05,
                                 0.3,
                                 start=rng.uniform(-8, 8)))
        else:
            angles = np.zeros(n)
        w0, h0 = sizes[0]
        c0, s0_ = abs(math.cos(angles[0])), abs(math.sin(angles[0]))
        ex = (c0 * w0 + s0_ * h0) / 2 + 3
        ey = (s0_ * w0 + c0 * h0) / 2 + 3
        start = (rng.uniform(ex,
                             max(ex,
                                 W - ex)), rng.uniform(ey, max(ey, H - ey)))
        speed_class = rng.choice(['slow', 'medium', 'fast'],
                                 p=[0.35, 0.45, 0.2])
        v_typ = {
            'slow': rng.uniform(0.2, 1.2),
            'medium': rng.uniform(1.2, 3.5),
            'fast': rng.uniform(3.5, 8.0)
        }[speed_class] * side / 277.0
        inertia = rng.uniform(0.05, 0.35)
        exits = []
        if n > 40 and rng.random() < min(0.8, 0.3 * hard):
            dur = int(rng.integers(3, 26))
            t_exit = int(rng.integers(15, max(16, n - dur - 40)))
            exits.append((t_exit, dur))
        path = _simulate_path(rng,
                              n,
                              W,
                              H,
                              sizes,
                              cam_delta,
                              start,
                              v_typ,
                              inertia,
                              p_jump=0.008 * hard,
                              exits=exits)
        tgt_gain = None
        if rng.random() < 0.35:
            tgt_gain = _simulate_smooth(rng,
                                        n,
                                        0.75,
                                        1.25,
                                        0.05,
                                        0.005,
                                        start=1.0)
        meta['motion_class'] = speed_class + (' rotating' if rotating else '')
        meta['motion_adverb'] = {
            'slow': 'slowly',
            'medium': 'steadily',
            'fast': 'quickly'
        }[speed_class]

        # ---- target appearance -----------------------------------------
        rng = r[2]
        blur_exposure = rng.uniform(0.3, 1.0) if rng.random() < 0.5 else 0.0
        fam = self._family(rng)
        pal = _palette(rng, int(rng.integers(2, 5)))
        shape = str(rng.choice(_SHAPES, p=_SHAPE_P))
        tw = int(min(256, math.ceil(sizes[:, 0].max())))
        th = int(min(256, math.ceil(sizes[:, 1].max())))
        tw, th = max(tw, 8), max(th, 8)
        t_rgb, t_src = self._texture(rng, fam, th + 8, tw + 8, pal)
        t_mask = self._mask(rng, shape, th, tw)
        target_sprite = _Sprite(t_rgb, t_mask, 4)
        self.target = _Obj(target_sprite,
                           path,
                           sizes,
                           angles,
                           blur_p=1.0,
                           exposure=blur_exposure,
                           gain=tgt_gain)
        meta['object_class'] = f'{fam} {shape}'
        meta['texture'] = fam
        meta['shape'] = shape

        # ---- distractors -------------------------------------------------
        rng = r[3]
        target_box0 = self.target.box(0)
        probs = np.array([0.15, 0.3, 0.3, 0.15, 0.1])
        shift = min(1.0, 0.25 * (hard - 1.0)) if hard > 1 else 0.0
        probs = probs * (1 - shift) + shift * np.array(
            [0.0, 0.15, 0.35, 0.3, 0.2])
        n_dis = int(rng.choice(5, p=probs / probs.sum()))
        self.back, self.front = [], []
        kinds = []
        for _ in range(n_dis):
            kind = str(
                rng.choice(['twin', 'recolor', 'random'], p=[0.4, 0.25, 0.35]))
            kinds.append(kind)
            if kind == 'random':
                ds0 = math.exp(
                    rng.uniform(math.log(0.05 * side), math.log(0.3 * side)))
                da0 = math.exp(np.clip(rng.normal(0, 0.5), -1.2, 1.2))
            else:
                ds0 = min(
                    s_range[1],
                    max(s_range[0],
                        math.sqrt(w0 * h0) * rng.uniform(0.7, 1.4)))
                da0 = w0 / h0 * math.exp(rng.uniform(-0.25, 0.25))
            dsizes = _simulate_sizes(rng, n, ds0, da0, s_range, W, H,
                                     math.log(rng.uniform(1.1, 1.8)),
                                     math.log(rng.uniform(1.05, 1.4)))
            front = rng.random() < 0.35
            for _try in range(20):
                st = (rng.uniform(-0.1, 1.1) * W, rng.uniform(-0.1, 1.1) * H)
                dw, dh = dsizes[0] * 0.75
                b = (st[0] - dw, st[1] - dh, st[0] + dw, st[1] + dh)
                if not _boxes_overlap(b, target_box0, 4):
                    break
            else:
                continue
            dv = v_typ * rng.uniform(0.4, 2.0) + rng.uniform(0, 1)
            dpath = _simulate_path(rng,
                                   n,
                                   W,
                                   H,
                                   dsizes,
                                   cam_delta,
                                   st,
                                   dv,
                                   rng.uniform(0.05, 0.35),
                                   0.008 * hard,
                                   follow=path,
                                   p_follow=0.3 * hard)
            dang = np.radians(_simulate_smooth(rng, n, -20, 20, 0.05, 0.3)) \
                if rng.random() < 0.3 else np.zeros(n)
            if kind == 'random':
                dfam = self._family(rng)
                drgb, _ = self._texture(rng, dfam, th + 8, tw + 8,
                                        _palette(rng, int(rng.integers(2, 5))))
                dshape = str(rng.choice(_SHAPES, p=_SHAPE_P))
            elif kind == 'twin':
                if t_src is not None and self.photos:
                    drgb, _ = self.photos.crop(rng, tw + 8, th + 8, near=t_src)
                    if drgb is None:
                        drgb = _recolor(rng, t_rgb)
                else:
                    drgb, _ = self._texture(rng,
                                            fam,
                                            th + 8,
                                            tw + 8,
                                            _jitter_palette(rng, pal),
                                            allow_photo=False)
                dshape = shape if rng.random() < 0.7 else str(
                    rng.choice(_SHAPES, p=_SHAPE_P))
            else:
                drgb = _recolor(rng, t_rgb)
                dshape = shape if rng.random() < 0.5 else str(
                    rng.choice(_SHAPES, p=_SHAPE_P))
            if kind != 'random':
                drgb = _ensure_different(rng, t_rgb, drgb)
            spr = _Sprite(drgb, self._mask(rng, dshape, th, tw), 4)
            obj = _Obj(spr,
                       dpath,
                       dsizes,
                       dang,
                       blur_p=1.0,
                       exposure=blur_exposure)
            if front:
                # the target must be unoccluded on frame 0
                if _boxes_overlap(obj.box(0), target_box0, 4):
                    front = False
            (self.front if front else self.back).append(obj)
        meta['distractors'] = ' '.join(kinds) if kinds else 'none'

        # ---- occluders ---------------------------------------------------
        rng = r[4]
        probs = np.array([0.4, 0.35, 0.18, 0.07])
        if hard > 1:
            sh_ = min(1.0, 0.3 * (hard - 1.0))
            probs = probs * (1 - sh_) + sh_ * np.array([0.1, 0.4, 0.35, 0.15])
        n_occ = int(rng.choice(4, p=probs / probs.sum()))
        self.occluders = []
        for _ in range(n_occ):
            occ = self._plan_occluder(rng, path, sizes, target_box0)
            if occ is not None:
                self.occluders.append(occ)
        meta['occluders'] = str(len(self.occluders))

        # ---- background ----------------------------------------------------
        rng = r[5]
        self.canvas, bg_kind = self._background(rng)
        if rng.random() < 0.35:  # static target-like copies in the scene
            for _ in range(int(rng.integers(1, 4))):
                if rng.random() < 0.5 and not (t_src is not None
                                               and self.photos):
                    srgb, _ = self._texture(rng,
                                            fam,
                                            th + 8,
                                            tw + 8,
                                            _jitter_palette(rng, pal),
                                            allow_photo=False)
                else:
                    srgb = _recolor(rng, t_rgb)
                srgb = _ensure_different(rng, t_rgb, srgb)
                spr = _Sprite(srgb, self._mask(rng, shape, th, tw), 4)
                ss_ = math.sqrt(w0 * h0) * rng.uniform(0.7, 1.3)
                _draw(self.canvas, spr, rng.uniform(0, self.canvas_size[0]),
                      rng.uniform(0, self.canvas_size[1]),
                      ss_ * math.sqrt(w0 / h0), ss_ / math.sqrt(w0 / h0),
                      rng.uniform(-0.3, 0.3))
            bg_kind += ' +copies'
        if rng.random() < 0.25:  # defocused background
            self.canvas = cv2.GaussianBlur(self.canvas, (0, 0),
                                           rng.uniform(0.6, 2.0))
        meta['background'] = bg_kind

        # ---- image formation ----------------------------------------------
        rng = r[6]
        self.gain = None
        self.illum = None
        if rng.random() < 0.5 * min(hard, 1.5):
            g = _simulate_smooth(rng, n, 0.6, 1.4, 0.04, 0.01, start=1.0)
            if rng.random() < 0.25:  # light switch / auto-exposure step
                ts = int(rng.integers(1, n))
                g[ts:] = np.clip(g[ts:] * rng.choice([0.6, 1.5]), 0.35, 1.8)
            self.gain = g
        if rng.random() < 0.35:  # static shadows / light pools and a tint
            cw, ch = self.canvas_size
            f = _fbm(rng, ch // 4, cw // 4, rng.uniform(1.5, 5), 3)
            if rng.random() < 0.5:
                f = _soft_threshold(f, rng.uniform(1, 5))
            f = cv2.resize(f, (cw, ch), interpolation=cv2.INTER_LINEAR)
            tint = 128 * (1 + rng.normal(0, 0.08, 3))
            self.illum = cv2.merge([
                cv2.convertScaleAbs(f, alpha=0.75 * tc, beta=0.55 * tc)
                for tc in tint
            ])
        self.cam_kernels = {}
        if blur_exposure > 0:
            for t in range(1, n):
                d = cam_delta[t] * blur_exposure
                if abs(d[0]) + abs(d[1]) > 1.5:
                    k = _line_kernel(float(d[0]), float(d[1]))
                    if k is not None:
                        self.cam_kernels[t] = k
        self.noise = None
        if rng.random() < 0.7:
            sigma = rng.uniform(1, 6)
            pos, neg = _noise_bank(H, W, colour=rng.random() < 0.5)
            self.noise = (cv2.convertScaleAbs(pos, alpha=sigma),
                          cv2.convertScaleAbs(neg, alpha=sigma))
            self.noise_off = rng.integers(0, 64, (n, 2))
        meta['illumination'] = ('varying' if self.gain is not None else
                                'constant') + (' shadows' if self.illum
                                               is not None else '')
        self.meta = meta

    # -- planning helpers --------------------------------------------------
    def _family(self, rng) -> str:
        if self.photos and rng.random() < 0.5:
            return 'photo'
        fams = list(_TEXTURE_P)
        p = np.array([_TEXTURE_P[f] for f in fams])
        fam = str(rng.choice(fams, p=p / p.sum()))
        if rng.random() < 0.15:
            fam = 'mix'
        return fam

    def _texture(self,
                 rng,
                 fam: str,
                 h: int,
                 w: int,
                 pal,
                 allow_photo: bool = True):
        """``(h, w, 3)`` uint8 texture of a family and its photo source."""
        if fam == 'photo':
            if allow_photo and self.photos:
                img, src = self.photos.crop(rng, w, h, rel=(0.1, 0.6))
                if img is not None:
                    return img, src
            fam = 'noise'
        if fam == 'mix':
            fams = list(_TEXTURES)
            a = _TEXTURES[fams[rng.integers(len(fams))]](rng, h, w, pal)
            pal_b = _jitter_palette(rng, pal[::-1], 30)
            b = _TEXTURES[fams[rng.integers(len(fams))]](rng, h, w, pal_b)
            if rng.random() < 0.5:
                u, _ = _coords(h, w, rng.uniform(0, TAU))
                f = _normalize(u) + rng.uniform(-0.3, 0.3)
            else:
                f = _fbm(rng, h, w, 2, 2)
            m = _soft_threshold(f, rng.uniform(5, 30))[..., None]
            img = (a * m + b * (1 - m)).astype(np.uint8)
        else:
            img = _TEXTURES[fam](rng, h, w, pal)
        return _shade(rng, img), None

    def _mask(self, rng, shape: str, h: int, w: int) -> np.ndarray:
        m = _shape_mask(rng, shape, h, w)
        if rng.random() < 0.5:
            m = cv2.GaussianBlur(m, (0, 0), rng.uniform(0.4, 1.2))
        return m

    def _plan_occluder(self, rng, path, sizes, target_box0):
        W, H, n = self.W, self.H, self.n
        if n < 12:
            return None
        for _ in range(10):
            t0 = int(rng.integers(max(4, n // 10), n - 2))
            cx, cy = path[t0]
            tw, th = sizes[t0]
            if not (-tw / 2 < cx < W + tw / 2 and -th / 2 < cy < H + th / 2):
                continue
            horizontal = rng.random() < 0.6
            ang = rng.uniform(-0.4, 0.4) + (0 if horizontal else math.pi / 2)
            if rng.random() < 0.5:
                ang += math.pi
            dirx, diry = math.cos(ang), math.sin(ang)
            full = rng.random() < 0.4
            if rng.random() < 0.4:  # pole / bar across the image
                kind = 'bar'
                thick = (tw if horizontal else th) * (rng.uniform(
                    1.1, 1.8) if full else rng.uniform(0.3, 0.9))
                length = (H if horizontal else W) * rng.uniform(1.3, 1.6)
                ow, oh = (thick, length) if horizontal else (length, thick)
                off = 0.0
            else:
                kind = str(
                    rng.choice(
                        ['rect', 'ellipse', 'blob', 'polygon', 'rounded']))
                big = max(tw, th) * (rng.uniform(1.3, 2.2)
                                     if full else rng.uniform(0.5, 1.3))
                asp = math.exp(rng.uniform(-0.5, 0.5))
                ow, oh = big * asp, big / asp
                off = 0.0 if full else rng.uniform(-0.7, 0.7)
            along = abs(dirx) * (ow + tw) + abs(diry) * (oh + th)
            dur = rng.uniform(4, 25)
            speed = along / dur
            nx, ny = -diry, dirx  # perpendicular offset (partial occlusion)
            ox = cx + nx * off * tw
            oy = cy + ny * off * th
            ts = np.arange(n) - t0
            centers = np.stack(
                [ox + dirx * speed * ts, oy + diry * speed * ts], -1)
            sizes_o = np.tile([ow, oh], (n, 1))
            angles_o = np.full(n, rng.uniform(-0.15, 0.15))
            fam = self._family(rng)
            if fam in ('logo', 'solid') and rng.random() < 0.5:
                fam = 'noise'
            th_i = int(min(400, max(8, math.ceil(oh))))
            tw_i = int(min(400, max(8, math.ceil(ow))))
            # frames where the occluder can touch the image
            ext = math.hypot(ow, oh) / 2 + 2
            vis = ((centers[:, 0] + ext > 0) & (centers[:, 0] - ext < W) &
                   (centers[:, 1] + ext > 0) & (centers[:, 1] - ext < H))
            idx = np.nonzero(vis)[0]
            if len(idx) == 0:
                continue
            occ_box0 = (centers[0, 0] - ext, centers[0, 1] - ext,
                        centers[0, 0] + ext, centers[0, 1] + ext)
            if idx[0] == 0 and _boxes_overlap(occ_box0, target_box0, 2):
                continue  # frame 0 must show the target unoccluded
            rgb, _ = self._texture(rng, fam, th_i + 8, tw_i + 8,
                                   _palette(rng, int(rng.integers(2, 5))))
            mask = self._mask(rng, 'rect' if kind == 'bar' else kind, th_i,
                              tw_i)
            return _Obj(_Sprite(rgb, mask, 4),
                        centers,
                        sizes_o,
                        angles_o,
                        frames=(int(idx[0]), int(idx[-1])))
        return None

    def _background(self, rng):
        cw, ch = self.canvas_size

        def one(kind):
            pal = _palette(rng, int(rng.integers(2, 6)))
            if kind == 'photo':
                img, _ = self.photos.crop(rng, cw, ch, rel=(0.4, 1.0))
                if img is not None:
                    return img
                kind = 'noise'
            if kind == 'leaves':
                return _dead_leaves(rng, ch, cw, pal,
                                    int(rng.integers(150, 500)), 4.0,
                                    min(cw, ch) * rng.uniform(0.15, 0.5))
            if kind == 'clutter':
                img = _tex_noise(rng, ch, cw, pal)
                for _ in range(int(rng.integers(10, 50))):
                    _draw_random_primitive(
                        rng, img, pal[rng.integers(len(pal))]
                        if rng.random() < 0.7 else _palette(rng, 2)[0],
                        min(cw, ch) * rng.uniform(0.03, 0.2))
                return img
            if kind == 'plain':
                return _tex_solid(rng, ch, cw, pal)
            return _TEXTURES[kind](rng, ch, cw, pal)

        kinds = [
            'noise', 'leaves', 'clutter', 'gradient', 'stripes', 'checker',
            'blobs', 'plain'
        ]
        p = np.array([0.22, 0.2, 0.2, 0.1, 0.07, 0.05, 0.08, 0.08])
        if self.photos:
            kinds.append('photo')
            p = np.append(p * 0.4 / p.sum(), 0.6)

        def pick():
            return str(rng.choice(kinds, p=p / p.sum()))

        k1 = pick()
        img = one(k1)
        desc = k1
        if rng.random() < 0.25:  # two regions with a wavy border
            k2 = pick()
            other = one(k2)
            xs = np.arange(cw, dtype=np.float32)
            wave = (ch * rng.uniform(0.3, 0.7) +
                    (cv2.resize(rng.random((1, 6), dtype=np.float32), (cw, 1),
                                interpolation=cv2.INTER_CUBIC)[0] - 0.5) * ch *
                    rng.uniform(0, 0.3))
            ys = np.arange(ch, dtype=np.float32)[:, None]
            m = np.clip((ys - wave[None, :]) / rng.uniform(1, 6) + 0.5, 0, 1)
            del xs
            img = (img * (1 - m[..., None]) + other * m[..., None]).astype(
                np.uint8)
            desc = f'{k1}/{k2}'
        img = _shade(rng, img, 0.3, grain=False)
        if rng.random() < 0.2:  # low contrast / haze
            c = rng.uniform(0.4, 0.8)
            img = cv2.addWeighted(img, c, img, 0,
                                  float(rng.uniform(0.3, 0.7) * 255 * (1 - c)))
        return np.ascontiguousarray(img), desc

    # -- rendering -----------------------------------------------------------
    def frames(self) -> Iterator[Tuple[np.ndarray, Tuple[float, ...], float]]:
        """Yield ``(img, box_xyxy, visible_fraction)`` for every frame."""
        W, H = self.W, self.H
        boxes = self.target.all_boxes()
        for t in range(self.n):
            ox, oy = self.cam[t]
            img = self.canvas[oy:oy + H, ox:ox + W].copy()
            for ob in self.back:
                ob.draw(img, t)
            res = self.target.draw(img, t, full=True)
            box = boxes[t]
            if res is None:
                ratio = 0.0
            else:
                vis, trect, full_sum = res
                vis = vis.copy()
                for ob in self.front + self.occluders:
                    if not ob.active(t):
                        continue
                    r = ob.draw(img, t)
                    if r is None:
                        continue
                    ov = _rect_overlap(trect, r[1])
                    if ov is None:
                        continue
                    a = r[0][ov[1] - r[1][1]:ov[3] - r[1][1],
                             ov[0] - r[1][0]:ov[2] - r[1][0]]
                    vis[ov[1] - trect[1]:ov[3] - trect[1],
                        ov[0] - trect[0]:ov[2] - trect[0]] *= \
                        (255.0 - a) * (1.0 / 255.0)
                ratio = min(1.0, float(vis.sum()) / max(full_sum, 1e-6))
            if res is None:
                for ob in self.front + self.occluders:
                    if ob.active(t):
                        ob.draw(img, t)
            if self.illum is not None:
                g = 1.0 if self.gain is None else float(self.gain[t])
                cv2.multiply(img,
                             self.illum[oy:oy + H, ox:ox + W],
                             dst=img,
                             scale=g / 128.0)
            elif self.gain is not None:
                cv2.convertScaleAbs(img, dst=img, alpha=float(self.gain[t]))
            k = self.cam_kernels.get(t)
            if k is not None:
                img = cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)
            if self.noise is not None:
                dx, dy = self.noise_off[t]
                cv2.add(img, self.noise[0][dy:dy + H, dx:dx + W], dst=img)
                cv2.subtract(img, self.noise[1][dy:dy + H, dx:dx + W], dst=img)
            yield img, box, ratio


# --------------------------------------------------------------------------
# public API: one sequence
# --------------------------------------------------------------------------
def _meta_ini(gen: _SequenceGenerator, seed, split, index, stats) -> str:
    m = gen.meta
    lines = [
        '[METAINFO]',
        f'url: synthetic://mmtrack_ext/v{GENERATOR_VERSION}/seed={seed}/'
        f'{split}/{index}',
        'begin: 00:00:00',
        f'end: 00:00:{gen.n / 10.0:04.1f}',
        'anno_fps: 10Hz',
        f"object_class: {m['object_class']}",
        f"motion_class: {m['motion_class']}",
        'major_class: synthetic object',
        'root_class: object',
        f"motion_adverb: {m['motion_adverb']}",
        f'resolution: ({gen.W}, {gen.H})',
    ]
    for k in ('texture', 'shape', 'distractors', 'occluders', 'background',
              'camera_motion', 'illumination'):
        lines.append(f'{k}: {m[k]}')
    lines.append(f'jpeg_quality: {gen.jpeg_quality}')
    lines.append(f"absent_frames: {stats['absent']}")
    lines.append(f"occluded_frames: {stats['occluded']}")
    return '\n'.join(lines) + '\n'


def generate_sequence(seed: int = 0,
                      split: str = 'train',
                      index: int = 0,
                      frame_size: Tuple[int, int] = (320, 240),
                      length_range: Tuple[int, int] = (60, 150),
                      length: Optional[int] = None,
                      photo_dir: Optional[str] = None,
                      difficulty: float = 1.0,
                      photos: Optional[Sequence[str]] = None) -> Dict:
    """Render one sequence into memory (exactly what would be written).

    Args:
        seed, split, index: identify the sequence; its randomness depends on
            these three only.
        frame_size: ``(W, H)`` in pixels.
        length_range: inclusive range of the number of frames.
        length: fixed number of frames (overrides ``length_range``).
        photo_dir: optional folder of photos (searched recursively) used for
            backgrounds and textures; ``photos`` gives the list directly.
        difficulty: scales the probabilities of hard events.

    Returns:
        dict with ``name``; ``frames`` ``(N, H, W, 3)`` uint8 BGR (before
        JPEG); ``boxes`` ``(N, 4)`` float64 ``xywh`` as written in
        ``groundtruth.txt``; ``absence``, ``cover`` ``(N,)`` uint8;
        ``visible_ratio`` ``(N,)`` float32; ``jpeg_quality``; ``meta`` (the
        ``meta_info.ini`` text).
    """
    if photos is None:
        photos = list_photos(photo_dir) if photo_dir else []
    gen = _SequenceGenerator(seed, split, index, frame_size, length_range,
                             length, photos, difficulty)
    frames, boxes, ratios = [], [], []
    for img, box, ratio in gen.frames():
        frames.append(img)
        boxes.append(box)
        ratios.append(ratio)
    xywh, absence, cover = _labels(np.array(boxes), np.array(ratios), gen.W,
                                   gen.H)
    stats = dict(absent=int(absence.sum()),
                 occluded=int(((cover < 8) & (absence == 0)).sum()))
    return dict(name=sequence_name(split, index),
                frames=np.stack(frames),
                boxes=xywh,
                absence=absence,
                cover=cover,
                visible_ratio=np.array(ratios, np.float32),
                jpeg_quality=gen.jpeg_quality,
                meta=_meta_ini(gen, seed, split, index, stats))


def _write_labels(seq_dir, xywh, absence, cover):
    with open(osp.join(seq_dir, 'groundtruth.txt'), 'w') as f:
        f.write(''.join(f'{x:.4f},{y:.4f},{w:.4f},{h:.4f}\n'
                        for x, y, w, h in xywh))
    with open(osp.join(seq_dir, 'absence.label'), 'w') as f:
        f.write(''.join(f'{int(a)}\n' for a in absence))
    with open(osp.join(seq_dir, 'cover.label'), 'w') as f:
        f.write(''.join(f'{int(c)}\n' for c in cover))


def write_sequence(split_dir: str,
                   seed: int,
                   split: str,
                   index: int,
                   frame_size=(320, 240),
                   length_range=(60, 150),
                   photos: Sequence[str] = (),
                   difficulty: float = 1.0,
                   length: Optional[int] = None) -> Dict:
    """Render one sequence straight to ``{split_dir}/{name}`` (GOT-10k files).

    Frames are JPEG-encoded while rendered (nothing is kept in memory); the
    folder is written as ``.tmp_{name}`` and renamed when complete.

    Returns:
        ``dict(name, num_frames, absent, occluded)``.
    """
    name = sequence_name(split, index)
    final = osp.join(split_dir, name)
    tmp = osp.join(split_dir, f'.tmp_{name}')
    if osp.isdir(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    gen = _SequenceGenerator(seed, split, index, frame_size, length_range,
                             length, photos, difficulty)
    params = [cv2.IMWRITE_JPEG_QUALITY, gen.jpeg_quality]
    boxes, ratios = [], []
    for t, (img, box, ratio) in enumerate(gen.frames()):
        ok, buf = cv2.imencode('.jpg', img, params)
        if not ok:
            raise RuntimeError('JPEG encoding failed')
        fd = os.open(osp.join(tmp, f'{t + 1:08d}.jpg'),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(buf).cast('B')
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        boxes.append(box)
        ratios.append(ratio)
    xywh, absence, cover = _labels(np.array(boxes), np.array(ratios), gen.W,
                                   gen.H)
    _write_labels(tmp, xywh, absence, cover)
    stats = dict(absent=int(absence.sum()),
                 occluded=int(((cover < 8) & (absence == 0)).sum()))
    with open(osp.join(tmp, 'meta_info.ini'), 'w') as f:
        f.write(_meta_ini(gen, seed, split, index, stats))
    if osp.isdir(final):
        shutil.rmtree(final)
    os.replace(tmp, final)
    return dict(name=name, num_frames=gen.n, **stats)


# --------------------------------------------------------------------------
# public API: splits and datasets
# --------------------------------------------------------------------------
def _default_start_method() -> str:
    # workers only use numpy / OpenCV, so forking is safe and avoids
    # re-importing the caller's modules (no ``__main__`` guard needed)
    if sys.platform.startswith('linux') and \
            'fork' in mp.get_all_start_methods():
        return 'fork'
    return 'spawn'


def _worker_init(set_threads: bool):
    # One OpenCV thread per worker. Only done in fresh interpreters: changing
    # OpenCV's thread pool in a forked child deadlocks when the parent had
    # used it (forked workers inherit the setting from the parent instead).
    if set_threads:
        cv2.setNumThreads(1)


def _make_pool(num_workers: int, method: str):
    ctx = mp.get_context(method)
    if method != 'fork':
        return ctx.Pool(num_workers,
                        initializer=_worker_init,
                        initargs=(True, ))
    prev = cv2.getNumThreads()
    cv2.setNumThreads(1)  # stop the parent's pool threads before forking
    try:
        return ctx.Pool(num_workers,
                        initializer=_worker_init,
                        initargs=(False, ))
    finally:
        cv2.setNumThreads(prev)


def _write_task(task):
    split_dir, seed, split, index, kwargs = task
    return write_sequence(split_dir, seed, split, index, **kwargs)


def _read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write_json(path, obj):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def generate_split(root: str,
                   split: str,
                   num_sequences: int,
                   seed: int = 0,
                   frame_size: Tuple[int, int] = (320, 240),
                   length_range: Tuple[int, int] = (60, 150),
                   photo_dir: Optional[str] = None,
                   num_workers: Optional[int] = None,
                   difficulty: float = 1.0,
                   mp_context: Optional[str] = None,
                   verbose: bool = False) -> Dict:
    """Generate (or reuse) ``{root}/{split}`` with ``num_sequences`` videos.

    A split is skipped when ``{root}/{split}/generation.json`` records the
    same parameters; an interrupted run with the same parameters is resumed
    (finished sequences are kept); otherwise the split's sequences are
    removed and regenerated.

    Args:
        num_workers: worker processes (``None``: all CPUs, ``0``: in this
            process). The output does not depend on it.
        mp_context: multiprocessing start method (default: ``'fork'`` on
            Linux, else ``'spawn'``).

    Returns:
        ``dict(split, path, num_sequences, num_frames, skipped, seconds,
        frames_per_second)``.
    """
    t0 = time.time()
    split_dir = osp.join(root, split)
    photos = list_photos(photo_dir) if photo_dir else []
    if photo_dir and not photos:
        raise FileNotFoundError(f'no images found under {photo_dir}')
    params = dict(
        generator_version=GENERATOR_VERSION,
        split=split,
        num_sequences=int(num_sequences),
        seed=int(seed),
        frame_size=[int(frame_size[0]), int(frame_size[1])],
        length_range=[int(length_range[0]),
                      int(length_range[1])],
        difficulty=float(difficulty),
        photos=_photos_fingerprint(photos, photo_dir) if photos else None)
    names = [sequence_name(split, i) for i in range(num_sequences)]
    marker = _read_json(osp.join(split_dir, MARKER_NAME))
    if (marker is not None and marker.get('params') == params
            and osp.isfile(osp.join(split_dir, 'list.txt'))
            and all(osp.isdir(osp.join(split_dir, n)) for n in names)):
        return dict(split=split,
                    path=split_dir,
                    num_sequences=num_sequences,
                    num_frames=int(marker.get('num_frames', 0)),
                    skipped=True,
                    seconds=time.time() - t0,
                    frames_per_second=0.0)
    os.makedirs(split_dir, exist_ok=True)
    progress = _read_json(osp.join(split_dir, _PROGRESS_NAME))
    pattern = re.compile(r'^(\.tmp_)?Synthetic_' +
                         re.escape(split.capitalize()) + r'_\d+$')
    resume = progress is not None and progress.get('params') == params
    for fn in ([MARKER_NAME, 'list.txt'] + sorted(os.listdir(split_dir))):
        p = osp.join(split_dir, fn)
        if fn in (MARKER_NAME, 'list.txt'):
            if osp.exists(p):
                os.remove(p)
        elif pattern.match(fn) and osp.isdir(p):
            if not resume or fn.startswith('.tmp_') or fn not in names:
                shutil.rmtree(p)
    _write_json(osp.join(split_dir, _PROGRESS_NAME), dict(params=params))

    kwargs = dict(frame_size=tuple(params['frame_size']),
                  length_range=tuple(params['length_range']),
                  photos=photos,
                  difficulty=difficulty)
    todo = [
        i for i, n in enumerate(names) if not osp.isdir(osp.join(split_dir, n))
    ]
    tasks = [(split_dir, seed, split, i, kwargs) for i in todo]
    if num_workers is None:
        num_workers = os.cpu_count() or 1
    num_workers = min(int(num_workers), len(tasks))
    done_frames = 0
    step = max(1, len(tasks) // 10)
    if num_workers <= 1:
        results = map(_write_task, tasks)
        pool = None
    else:
        pool = _make_pool(num_workers, mp_context or _default_start_method())
        results = pool.imap_unordered(_write_task, tasks, chunksize=1)
    try:
        for k, res in enumerate(results):
            done_frames += res['num_frames']
            if verbose and ((k + 1) % step == 0 or k + 1 == len(tasks)):
                dt = time.time() - t0
                print(
                    f'  {split}: {k + 1}/{len(tasks)} sequences, '
                    f'{done_frames / max(dt, 1e-6):.0f} frames/s',
                    flush=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    seconds = time.time() - t0
    num_frames = 0
    for n in names:
        with open(osp.join(split_dir, n, 'absence.label')) as f:
            num_frames += sum(1 for _ in f)
    with open(osp.join(split_dir, 'list.txt'), 'w') as f:
        f.write(''.join(n + '\n' for n in names))
    _write_json(
        osp.join(split_dir, MARKER_NAME),
        dict(params=params,
             num_frames=num_frames,
             sequence_name_format='Synthetic_{Split}_{index:06d}'))
    os.remove(osp.join(split_dir, _PROGRESS_NAME))
    return dict(split=split,
                path=split_dir,
                num_sequences=num_sequences,
                num_frames=num_frames,
                skipped=False,
                seconds=seconds,
                frames_per_second=done_frames / max(seconds, 1e-6))


def make_synthetic_dataset(root: str,
                           num_train: int = 300,
                           num_val: int = 30,
                           seed: int = 0,
                           frame_size: Tuple[int, int] = (320, 240),
                           length_range: Tuple[int, int] = (60, 150),
                           photo_dir: Optional[str] = None,
                           num_workers: Optional[int] = None,
                           difficulty: float = 1.0,
                           mp_context: Optional[str] = None,
                           verbose: bool = True) -> Dict:
    """Generate the ``train`` and ``val`` splits of a synthetic GOT-10k set.

    Args:
        root: output folder; splits go to ``{root}/train`` and ``{root}/val``.
        num_train, num_val: sequences per split (0 skips the split).
        seed: global seed; a sequence depends only on ``(seed, split,
            index)``, so train and val never share a sequence and the result
            is byte-identical for any ``num_workers``.
        frame_size: ``(W, H)`` in pixels.
        length_range: inclusive range of frames per sequence.
        photo_dir: optional folder of real photos (jpg/png..., recursive)
            mixed into backgrounds, targets, distractors and occluders.
        num_workers: worker processes (``None``: ``os.cpu_count()``).
        difficulty: scales the probabilities of hard events (val adds 15 %).
        mp_context: multiprocessing start method (default: ``'fork'`` on
            Linux, else ``'spawn'``).
        verbose: print progress.

    Returns:
        ``dict(root=root, train=..., val=...)`` with the per-split dicts of
        :func:`generate_split`.
    """
    out = dict(root=root)
    for split, num in (('train', num_train), ('val', num_val)):
        if num <= 0:
            continue
        res = generate_split(root,
                             split,
                             num,
                             seed=seed,
                             frame_size=frame_size,
                             length_range=length_range,
                             photo_dir=photo_dir,
                             num_workers=num_workers,
                             difficulty=difficulty,
                             mp_context=mp_context,
                             verbose=verbose)
        if verbose:
            if res['skipped']:
                print(f'  {split}: complete, skipped ({res["path"]})')
            else:
                print(f'  {split}: {res["num_sequences"]} sequences, '
                      f'{res["num_frames"]} frames in {res["seconds"]:.1f} s '
                      f'({res["frames_per_second"]:.0f} frames/s)')
        out[split] = res
    return out
