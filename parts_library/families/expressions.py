"""Expression parts for sticker packs: posed eyes, brows and mouths, and small extras (hearts, Zzz, a tear …).

They are written to their own manifest (``assets/expressions/manifest.json``), apart from the parts the photo search
chooses from: the search never sees them, and the main manifest — whose hash the identity model and the FAISS
indices are built for — does not change when they do. Eyes and brows are posed *per base part*, so a sticker keeps
the person's own eye shape and brow thickness: ``eyes_almond_01_wink`` is ``eyes_almond_01`` with one eye shut,
``brows_soft_01_angry`` is ``brows_soft_01`` pulled down at the inner ends. Mouths and extras are generic
(``mouth_expr_laugh``, ``extra_hearts``); every part is tagged ``expression``.

Extras are not recipe categories: the sticker renderer draws them over the avatar, each layer moved with one
landmark of the drawn face (``params["follow"]``), so a tear stays under the eye whatever the face's shape.
"""
from __future__ import annotations

import numpy as np

from ..svg import f, linear_grad, mirror_x, offset_curve, radial_grad, smooth_closed
from . import features
from .common import CX, IOD, M, PartDef, anchors_list

__all__ = ["expression_parts", "EYE_POSES", "BROW_POSES", "MOUTHS", "EXTRAS", "pose_id"]

EYE_POSES = ("wink", "look")
BROW_POSES = ("raised", "angry", "sad", "quirk")
TAG = "expression"


def pose_id(base_id: str, pose: str) -> str:
    """The id of a base part's posed variant: ``pose_id("eyes_almond_01", "wink") == "eyes_almond_01_wink"``."""
    return f"{base_id}_{pose}"


# ---- eyes ---------------------------------------------------------------------------------------------------------
def _closed_line(c: np.ndarray, w: float, bend: float, n: int = 15) -> np.ndarray:
    """A closed lid from the outer to the inner corner of a left eye centred at ``c`` (mirror for the right):
    ``bend`` > 0 arches up (a smiling shut eye, ^), < 0 sags (asleep)."""
    t = np.linspace(0, 1, n)
    x = c[0] - w / 2 + w * t
    y = c[1] - bend * w * np.sin(np.pi * t) ** 0.9 + 0.25 * bend * w
    return np.stack([x, y], axis=1)


def _closed_eye_svg(line: np.ndarray, weight: float, lashes: int, bend: float) -> str:
    """A shut eye drawn as a tapered lash-coloured stroke (with a few lashes when the base part has them)."""
    W = float(abs(line[-1, 0] - line[0, 0]))
    widths = weight * np.interp(np.linspace(0, 1, len(line)), [0, 0.15, 0.5, 0.85, 1], [0.35, 0.8, 1.0, 0.8, 0.35])
    out = [smooth_closed(offset_curve(line, widths))]
    outward = -1.0 if line[0, 0] < line[-1, 0] else 1.0  # the outer corner is line[0]
    for k in range(lashes):
        base = line[1 + 2 * k]
        down = 1.0 if bend < 0 else -1.0  # lashes hang below a sleeping lid, flick above a smiling one
        tip = base + [outward * 0.1 * W, down * (0.1 - 0.02 * k) * W]
        mid = (base + tip) / 2 + [outward * 0.03 * W, 0]
        out.append(smooth_closed(offset_curve(np.stack([base, mid, tip]), [2.4, 1.4, 0.3])))
    return f'<path d="{"".join(out)}" fill="{features.LASH}"/>'


def _closed_anchors(line: np.ndarray) -> np.ndarray:
    """Six eye anchors (outer, upper ×2, inner, lower ×2) of a shut eye: both lids on the lid line."""
    n = len(line) - 1
    up = line[[0, round(n / 3), round(2 * n / 3), n]]
    return np.stack([up[0], up[1], up[2], up[3], up[2], up[1]])


def _heart(cx: float, cy: float, size: float, n: int = 48, tilt: float = 0.0) -> np.ndarray:
    """A heart outline of about ``size`` px across, centred at (cx, cy)."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    pts = np.stack([x, y + 2.5], axis=1) * (size / 34.0)
    c, s = np.cos(tilt), np.sin(tilt)
    pts = pts @ np.array([[c, s], [-s, c]])
    return pts + [cx, cy]


def _heart_svg(gid: str, cx: float, cy: float, size: float, tilt: float = 0.0, defs: bool = True) -> str:
    g = radial_grad(gid, cx - 0.2 * size, cy - 0.25 * size, 0.9 * size,
                    [(0, "#ff8a9a"), (0.45, "#f0364f"), (1, "#b3122c")]) if defs else ""
    hl = _heart(cx - 0.2 * size, cy - 0.18 * size, 0.3 * size, 24, tilt)
    return (f'{f"<defs>{g}</defs>" if g else ""}<path d="{smooth_closed(_heart(cx, cy, size, 48, tilt))}" '
            f'fill="url(#{gid})" stroke="#8c0f24" stroke-width="{f(max(size * 0.035, 1.5))}"/>'
            f'<path d="{smooth_closed(hl)}" fill="#ffffff" opacity="0.55"/>')


def _eye_variants() -> list[PartDef]:
    out = []
    for key, name, tags, p in features.EYES:
        base = f"eyes_{key}"
        q, up, lo, six = features.eye_geometry(**p)
        up_r, lo_r = mirror_x(up), mirror_x(lo)
        six_r = mirror_x(six)[[3, 2, 1, 0, 5, 4]]
        # wink: the image-right eye shut in a smiling arc, the other the person's own
        pid = pose_id(base, "wink")
        c, w = six_r.mean(axis=0), q["w"] * IOD
        line = mirror_x(_closed_line(mirror_x(c[None])[0], w * features.EX * 0.95, 0.2))
        real = mirror_x(_closed_line(mirror_x(c[None])[0], w, 0.2))
        weight = 0.5 * q["lash"] + 3.5
        layers = {"left": f"<defs>{features._eye_defs(pid)}</defs>" + features._eye_svg(pid, "l", up, lo, q),
                  "right": _closed_eye_svg(line, weight, int(q["lashes"]), 0.2)}
        anchors_r = _closed_anchors(real)[[3, 2, 1, 0, 5, 4]]
        out.append(PartDef(pid, "eyes", f"{name}, winking", [*tags, TAG, "wink"], layers,
                           {"left": anchors_list(six), "right": anchors_list(anchors_r)}, ["eyes", "skin"],
                           params={"base": base, "pose": "wink"}))
        # look: both irises turned up and aside (thinking)
        pid = pose_id(base, "look")
        ql = {**q, "gaze": (0.26, -0.17)}
        layers = {"left": f"<defs>{features._eye_defs(pid)}</defs>" + features._eye_svg(pid, "l", up, lo, ql),
                  "right": features._eye_svg(pid, "r", up_r, lo_r, ql)}
        out.append(PartDef(pid, "eyes", f"{name}, looking away", [*tags, TAG, "look"], layers,
                           {"left": anchors_list(six), "right": anchors_list(six_r)}, ["eyes", "skin"],
                           params={"base": base, "pose": "look"}))
    return out


def _generic_eyes() -> list[PartDef]:
    """Eyes that replace the person's: shut and smiling (laugh), shut and sagging (asleep), hearts (love)."""
    out = []
    q, up, lo, six = features.eye_geometry()
    c_l = six.mean(axis=0)
    c_r = mirror_x(c_l[None])[0]
    w = q["w"] * IOD
    for key, name, bend, weight, lashes in (("happy", "Shut, smiling", 0.24, 10.0, 0),
                                            ("closed", "Shut, asleep", -0.16, 8.5, 3)):
        pid = f"eyes_expr_{key}"
        line_l = _closed_line(c_l, w * features.EX * 0.9, bend)
        real_l = _closed_line(c_l, w, bend)
        layers = {"left": _closed_eye_svg(line_l, weight, lashes, bend),
                  "right": _closed_eye_svg(mirror_x(line_l), weight, lashes, bend)}
        a_l = _closed_anchors(real_l)
        a_r = _closed_anchors(mirror_x(real_l))[[3, 2, 1, 0, 5, 4]]
        out.append(PartDef(pid, "eyes", name, [TAG, key], layers, {"left": anchors_list(a_l),
                                                                   "right": anchors_list(a_r)}, ["eyes", "skin"],
                           params={"pose": key, "bend": bend}))
    pid = "eyes_expr_hearts"
    size = w * features.EX * 0.95
    six_r = mirror_x(six)[[3, 2, 1, 0, 5, 4]]
    layers = {"left": _heart_svg(f"{pid}-g", c_l[0], c_l[1], size, -0.12),
              "right": _heart_svg(f"{pid}-g", c_r[0], c_r[1], size, 0.12, defs=False)}
    out.append(PartDef(pid, "eyes", "Heart eyes", [TAG, "hearts", "love"], layers,
                       {"left": anchors_list(six), "right": anchors_list(six_r)}, ["eyes", "skin"],
                       params={"pose": "hearts"}))
    return out


# ---- brows --------------------------------------------------------------------------------------------------------
def _posed_brow(p: dict, pose: str) -> dict:
    q = {**features.BROW_DEFAULTS, **p}
    if pose == "raised":  # surprised: both lifted and arched
        return {**p, "lift": q["lift"] + 0.13, "arch": q["arch"] * 1.2 + 0.02}
    if pose == "angry":  # inner ends pulled down and in, outer ends up: a V
        return {**p, "lift": q["lift"] - 0.09, "tilt": -0.27, "arch": q["arch"] * 0.3, "peak": 0.5}
    if pose == "sad":  # inner ends raised, outer ends dropped
        return {**p, "lift": q["lift"] + 0.13, "tilt": 0.3, "arch": q["arch"] * 0.3, "peak": 0.3,
                "shape": "soft"}
    if pose == "quirk":  # the raised one of a quirked pair
        return {**p, "lift": q["lift"] + 0.15, "arch": q["arch"] * 1.3 + 0.03}
    raise ValueError(pose)


def _brow_variants() -> list[PartDef]:
    out = []
    for key, name, tags, p in features.BROWS:
        base = f"brows_{key}"
        for pose in BROW_POSES:
            pid = pose_id(base, pose)
            q, line = features.brow_centreline(**_posed_brow(p, pose))
            if pose == "quirk":  # the image-left brow stays the person's, the other goes up
                q, line = features.brow_centreline(**p)
                qr, line_r = features.brow_centreline(**_posed_brow(p, pose))
            else:
                qr, line_r = q, line
            five = line[[16, 12, 8, 4, 0]]
            five_r = mirror_x(line_r[[16, 12, 8, 4, 0]])[::-1]
            layers = {"left": features._brow_svg(pid, "l", line, q),
                      "right": features._brow_svg(pid, "r", mirror_x(line_r), qr)}
            out.append(PartDef(pid, "brows", f"{name}, {pose}", [*tags, TAG, pose], layers,
                               {"left": anchors_list(five), "right": anchors_list(five_r)}, ["brows"],
                               params={"base": base, "pose": pose, "thickness": q["thick"]}))
    return out


# ---- mouths -------------------------------------------------------------------------------------------------------
# key, name, tags, mouth params (features.MOUTHS' vocabulary), then a shape change: corner (one corner up, IOD),
# turn (rad), shift (px), tongue (hanging out)
MOUTHS = [
    ("smile", "Closed smile", ["smile"], dict(lift=0.15, width=1.08, up=0.075, low=0.13), {}),
    ("laugh", "Laughing", ["laugh", "open", "teeth"], dict(lift=0.1, width=1.14, gap=0.34, teeth=True, tongue=True,
                                                            low=0.1, up=0.07), {}),
    ("o", "Open O", ["surprised", "open"], dict(width=0.56, gap=0.42, lift=-0.1, up=0.07, low=0.09, bow=0.01), {}),
    ("frown", "Frown", ["sad"], dict(lift=-0.15, width=0.86, up=0.075, low=0.13, bow=0.02), {}),
    ("grimace", "Clenched", ["angry", "teeth", "open"], dict(lift=-0.12, width=1.0, gap=0.09, teeth=True, up=0.06,
                                                             low=0.1, bow=0.015), {}),
    ("smirk", "Smirk", ["smirk"], dict(lift=0.02, width=0.96, up=0.07, low=0.13), dict(corner=0.13, shift=8)),
    ("hmm", "Hmm", ["thinking"], dict(lift=-0.02, width=0.66, up=0.06, low=0.11, bow=0.02),
     dict(turn=-0.12, shift=18)),
    ("sleepy", "Sleepy o", ["sleepy", "open"], dict(width=0.42, gap=0.11, lift=-0.03, up=0.06, low=0.09, bow=0.01),
     {}),
    ("tongue", "Tongue out", ["tongue", "smile", "open"], dict(lift=0.13, width=1.06, gap=0.13, teeth=True, low=0.1),
     dict(tongue=True)),
]


def _shaped(pts: np.ndarray, shape: dict, hw: float) -> np.ndarray:
    out = np.asarray(pts, dtype=np.float64).copy()
    y_mid = float(M[48:55, 1].mean())
    if shape.get("corner"):  # the image-right corner pulled up, the left one kept
        k = np.clip((out[:, 0] - CX) / hw, 0, 1.2) ** 1.6
        out[:, 1] -= shape["corner"] * IOD * k
    if shape.get("turn"):
        a = shape["turn"]
        c, s = np.cos(a), np.sin(a)
        d = out - [CX, y_mid]
        out = np.stack([d[:, 0] * c - d[:, 1] * s, d[:, 0] * s + d[:, 1] * c], axis=1) + [CX, y_mid]
    out[:, 0] += shape.get("shift", 0.0)
    return out


def _tongue_svg(pid: str, inner: np.ndarray, outer: np.ndarray) -> str:
    """A tongue hanging out over the lower lip."""
    top = float(inner[0:5, 1].mean()) + 2
    lip = float(outer[7:12, 1].max())
    hw = 0.23 * float(outer[6, 0] - outer[0, 0])
    depth = lip - top + 0.2 * IOD
    t = np.linspace(0, np.pi, 21)
    bottom = np.stack([CX + hw * np.cos(t), top + depth * np.sin(t) ** 0.7], axis=1)[::-1]
    shape = np.concatenate([[[CX - hw * 1.05, top - 4]], bottom, [[CX + hw * 1.05, top - 4]]])
    g = linear_grad(f"{pid}-tng", 0, top, 0, top + depth, [(0, "#c44a57"), (0.5, "#e56d78"), (1, "#d95865")])
    crease = np.stack([np.full(6, CX), np.linspace(top + 0.35 * depth, top + 0.8 * depth, 6)], axis=1)
    return (f'<defs>{g}</defs><path d="{smooth_closed(shape)}" fill="url(#{pid}-tng)" stroke="#9c3340" '
            f'stroke-width="2"/><path d="{smooth_closed(offset_curve(crease, [0.5, 1.8, 2.2, 2.2, 1.6, 0.4]))}" '
            f'fill="#a83a47" opacity="0.8"/><ellipse cx="{f(CX - 0.4 * hw)}" cy="{f(top + 0.62 * depth)}" '
            f'rx="{f(0.22 * hw)}" ry="{f(0.1 * depth)}" fill="#ffffff" opacity="0.3"/>')


def _mouths() -> list[PartDef]:
    out = []
    for key, name, tags, p, shape in MOUTHS:
        pid = f"mouth_expr_{key}"
        q, outer, inner = features.mouth_anchors(**p)
        hw = q["width"] * IOD / 2
        outer, inner = _shaped(outer, shape, hw), _shaped(inner, shape, hw)
        svg = features.mouth_svg(pid, outer, inner, q)
        if shape.get("tongue"):
            svg += _tongue_svg(pid, inner, outer)
        out.append(PartDef(pid, "mouth", name, [TAG, *tags], {"main": svg},
                           {"outer": anchors_list(outer), "inner": anchors_list(inner)}, ["lips", "skin"],
                           params={"pose": key}))
    return out


# ---- extras -------------------------------------------------------------------------------------------------------
def _z(x: float, y: float, s: float) -> np.ndarray:
    """A 'Z' of height ``s`` with its top-left corner at (x, y), as a polyline."""
    return np.array([[x, y], [x + 0.8 * s, y], [x + 0.05 * s, y + s], [x + 0.85 * s, y + s]])


def _stroke_path(pts: np.ndarray) -> str:
    return "M" + "L".join(f"{f(a)},{f(b)}" for a, b in pts)


def _drop(cx: float, cy: float, h: float) -> np.ndarray:
    """A tear drop of height ``h``, point up, its round bottom centred at (cx, cy)."""
    t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    r = 0.3 * h
    x = r * np.sin(t) * np.abs(np.sin(t / 2)) ** 0.4
    y = -r * np.cos(t)
    y = np.where(np.cos(t) > 0, y * (1 + 1.6 * np.cos(t) ** 2), y)
    return np.stack([cx + x, cy + y], axis=1)


def _drop_svg(gid: str, cx: float, cy: float, h: float) -> str:
    g = linear_grad(gid, 0, cy - 0.7 * h, 0, cy + 0.3 * h, [(0, "#bfe6ff"), (1, "#3d9be0")])
    return (f'<defs>{g}</defs><path d="{smooth_closed(_drop(cx, cy, h))}" fill="url(#{gid})" stroke="#1f6fb5" '
            f'stroke-width="2.5"/><ellipse cx="{f(cx - 0.1 * h)}" cy="{f(cy - 0.08 * h)}" rx="{f(0.06 * h)}" '
            f'ry="{f(0.1 * h)}" fill="#ffffff" opacity="0.8"/>')


def _extras() -> list[PartDef]:
    out = []
    # hearts floating about the head (love)
    hearts = [(790, 170, 96, 0.25), (858, 318, 64, 0.35), (228, 150, 74, -0.3)]
    frag = "".join(_heart_svg(f"extra_hearts-g{i}", x, y, s, a) for i, (x, y, s, a) in enumerate(hearts))
    out.append(PartDef("extra_hearts", "extra", "Floating hearts", [TAG, "love"], {"main": frag},
                       {"at": [[806.0, 196.0]]}, [], params={"follow": {}}))
    # Zzz (asleep), outlined in white so it reads on hair and on a dark chat background
    zs = [_z(736, 214, 76), _z(820, 128, 58), _z(878, 62, 42)]
    d = "".join(_stroke_path(z) for z in zs)
    frag = (f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="26" stroke-linejoin="round" '
            f'stroke-linecap="round"/><path d="{d}" fill="none" stroke="#4b5bd0" stroke-width="13" '
            f'stroke-linejoin="round" stroke-linecap="round"/>')
    out.append(PartDef("extra_zzz", "extra", "Zzz", [TAG, "sleepy"], {"main": frag}, {"at": [[800.0, 200.0]]}, [],
                       params={"follow": {}}))
    # a tear running from the image-right eye (sad)
    tx, ty = float(M[46, 0]) + 8, float(M[46, 1]) + 66
    out.append(PartDef("extra_tear", "extra", "Tear", [TAG, "sad"], {"main": _drop_svg("extra_tear-g", tx, ty, 74)},
                       {"at": [[tx, ty]]}, [], params={"follow": {"main": 46}}))
    # an anger mark on the forehead (angry): four curved brackets
    vx, vy = float(M[24, 0]) + 70, float(M[24, 1]) - 120
    arcs = []
    for ang in (0, 90, 180, 270):
        a = np.deg2rad(ang)
        c, s = np.cos(a), np.sin(a)
        pts = np.array([[9, 34], [12, 14], [34, 11]], dtype=np.float64)  # one corner bracket, curving in
        pts = pts @ np.array([[c, s], [-s, c]]) + [vx, vy]
        arcs.append(f'M{f(pts[0, 0])},{f(pts[0, 1])}Q{f(pts[1, 0])},{f(pts[1, 1])} {f(pts[2, 0])},{f(pts[2, 1])}')
    d = "".join(arcs)
    frag = (f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="22" stroke-linecap="round"/>'
            f'<path d="{d}" fill="none" stroke="#e0202f" stroke-width="11" stroke-linecap="round"/>')
    out.append(PartDef("extra_vein", "extra", "Anger mark", [TAG, "angry"], {"main": frag}, {"at": [[vx, vy]]}, [],
                       params={"follow": {"main": 24}}))
    # a question mark (thinking)
    qx, qy = 812.0, 168.0
    hook = np.array([[qx - 38, qy - 30], [qx - 30, qy - 70], [qx + 6, qy - 86], [qx + 40, qy - 66],
                     [qx + 42, qy - 30], [qx + 12, qy - 6], [qx, qy + 20], [qx, qy + 34]])
    d = "M" + smooth_closed(hook)[1:].rstrip("Z")
    frag = (f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="34" stroke-linecap="round" '
            f'stroke-linejoin="round"/><circle cx="{f(qx)}" cy="{f(qy + 76)}" r="22" fill="#ffffff"/>'
            f'<path d="{d}" fill="none" stroke="#e8a317" stroke-width="18" stroke-linecap="round" '
            f'stroke-linejoin="round"/><circle cx="{f(qx)}" cy="{f(qy + 76)}" r="12" fill="#e8a317"/>')
    out.append(PartDef("extra_question", "extra", "Question mark", [TAG, "thinking"], {"main": frag},
                       {"at": [[qx, qy]]}, [], params={"follow": {}}))
    # blushing cheeks (love), under each eye
    frags = {}
    for side, idx, sgn in (("left", 40, -1), ("right", 47, 1)):
        x, y = float(M[idx, 0]) + sgn * 26, float(M[idx, 1]) + 62
        gid = f"extra_blush-{side}"
        frags[side] = (f'<defs>{radial_grad(gid, x, y, 46, [(0, "#ff5d73", 0.55), (1, "#ff5d73", 0.0)])}</defs>'
                       f'<ellipse cx="{f(x)}" cy="{f(y)}" rx="46" ry="30" fill="url(#{gid})"/>')
    out.append(PartDef("extra_blush", "extra", "Blush", [TAG, "love"], frags,
                       {"at": [[float(M[40, 0]) - 26, float(M[40, 1]) + 62]]}, [],
                       params={"follow": {"left": 40, "right": 47}}))
    return out


EXTRAS = ("extra_hearts", "extra_zzz", "extra_tear", "extra_vein", "extra_question", "extra_blush")


def expression_parts() -> list[PartDef]:
    """Every expression part: posed eyes and brows per base part, generic eyes and mouths, and the extras."""
    return _eye_variants() + _generic_eyes() + _brow_variants() + _mouths() + _extras()

