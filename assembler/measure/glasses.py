"""Glasses: edge energy of the bridge and the rims around the eyes relative to the skin's own texture."""
from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from parts_library import frame

from .context import _Ctx, _IOD, _poly, _sig

# the skin's own texture (the median gradient of the cheeks and forehead) is what a frame's edges are measured against,
# and it is taken to be at least this fraction of the cheeks' grey level. JPEG compression flattens skin to a median
# gradient of 0 inside its 8-px blocks, while its block edges and the nose's shading still cross the bridge: at quality
# 30, bare faces read glasses (an absolute floor of 4 grey levels was all that was left of the reference). A floor
# proportional to the skin's grey level keeps every ratio independent of the exposure (a dim photo's edges and skin
# scale together; an absolute floor missed glasses at a third of the light). Chosen on the labelled photos as taken,
# compressed, shrunk and dimmed; `memoji eval --labels --degrade` scores it (docs/eval.md)
NOISE_FLOOR = 0.08


def measure_glasses(ctx: _Ctx, skin: dict[str, Any]) -> dict[str, Any]:
    """Edge energy of the bridge between the eyes and of the rims below / beside them, on the 512 chip."""
    k = ctx.chip_scale
    lm = ctx.lmc * k
    iod = frame.IOD * k
    g = cv2.cvtColor(ctx.chip, cv2.COLOR_RGB2GRAY).astype(np.float32)
    gx = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3))
    gy = np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))
    eye_y = float(lm[36:48, 1].mean())
    h, w = g.shape

    def box(x0, x1, y0, y1):
        x0, x1 = int(np.clip(round(x0), 0, w - 1)), int(np.clip(round(x1), 1, w))
        y0, y1 = int(np.clip(round(y0), 0, h - 1)), int(np.clip(round(y1), 1, h))
        return slice(y0, max(y1, y0 + 1)), slice(x0, max(x1, x0 + 1))

    # skin texture reference: the cheeks (beside the nose, below the rims)
    cl = lm[[2, 3, 31, 40, 41]].mean(axis=0)
    cr = lm[[13, 14, 35, 46, 47]].mean(axis=0)
    mag = np.hypot(gx, gy)
    refs, grey = [], []
    for side in ((2, 3, 31, 40, 41), (13, 14, 35, 46, 47)):
        upper = lm[list(side)].mean(axis=0)
        lower = np.array([upper[0], float(lm[33, 1])])
        patches = [box(c[0] - 0.12 * iod, c[0] + 0.12 * iod, c[1] - 0.05 * iod, c[1] + 0.15 * iod)
                   for c in (upper, lower)]
        refs.append(min(float(np.median(mag[p])) for p in patches))
        grey.append(g[patches[0]].ravel())
    brow = lm[17:27]
    forehead = mag[box(lm[21, 0], lm[22, 0], brow[:, 1].min() - 0.35 * iod, brow[:, 1].min() - 0.1 * iod)]
    floor = NOISE_FLOOR * float(np.median(np.concatenate(grey)))
    noise = max(min(float(np.mean(refs)), float(np.median(forehead))), floor, 1.0)
    # bridge: between the inner eye corners, around the eye line — a bar gives a row of strong vertical gradient
    xm = float((lm[39, 0] + lm[42, 0]) / 2)
    half = 0.25 * float(lm[42, 0] - lm[39, 0])
    sl = box(xm - half, xm + half, eye_y - 0.3 * iod, eye_y + 0.12 * iod)
    bridge = float(gy[sl].mean(axis=1).max()) / noise
    # lower rims: below each eye, horizontal edges spanning the eye's width
    rims = []
    for a, b in ((36, 39), (42, 45)):
        x0, x1 = lm[a, 0], lm[b, 0]
        ey = float(lm[a:b + 3, 1].max())
        sl = box(x0, x1, ey + 0.12 * iod, ey + 0.45 * iod)
        rims.append(float(np.percentile(gy[sl].mean(axis=1), 90)) / noise)
    # outer rims: beside each eye, vertical edges
    sides = []
    for o, sgn in ((36, -1), (45, 1)):
        x = lm[o, 0]
        xs = sorted([x + sgn * 0.08 * iod, x + sgn * 0.35 * iod])
        sl = box(xs[0], xs[1], eye_y - 0.3 * iod, eye_y + 0.25 * iod)
        sides.append(float(np.percentile(gx[sl].mean(axis=0), 90)) / noise)
    rim = float(np.mean(rims))
    side = float(np.mean(sides))
    p = _sig(1.5 * (bridge - 6.3) + 1.2 * (rim - 5.25))
    return {"probability": p, "bridge": bridge, "rim": rim, "side": side, "noise": noise}


def glasses_mask(ctx: _Ctx, size: int = 128) -> np.ndarray:
    """Strong edges in the eye band (canonical frame, ``size`` px) — the photo-side input of glasses_descriptor."""
    g = cv2.cvtColor(ctx.rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(g, 40, 100) > 0
    band = np.zeros(ctx.shape, bool)
    eye_y = ctx.lm[36:48, 1].mean()
    x0, x1 = ctx.lm[0, 0], ctx.lm[16, 0]
    band[int(eye_y - 0.45 * _IOD):int(eye_y + 0.5 * _IOD), int(x0):int(x1)] = True
    eyes = _poly(ctx.shape, ctx.lm[36:42]) | _poly(ctx.shape, ctx.lm[42:48])
    eyes = cv2.dilate(eyes.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    brows = np.zeros(ctx.shape, np.uint8)
    for a, b in ((17, 22), (22, 27)):
        cv2.polylines(brows, [np.round(ctx.lm[a:b]).astype(np.int32)], False, 1, thickness=int(0.14 * _IOD))
    m = edges & band & ~eyes & ~brows.astype(bool)
    return cv2.resize(m.astype(np.float32), (size, size), interpolation=cv2.INTER_AREA)
