"""Preprocessing that travels with the weights: the CelebA-aligned frame, the square crop, resize and mean/std.

Training images are CelebA's ``img_align_celeba`` (178×218, aligned by CelebA with the eyes near y≈111). A user photo
goes through :func:`assembler.analysis.analyze` first; its ``FaceRecord.chip`` shows our canonical 1024 frame
(eye centres at y=440, x=512±85) and :func:`chip_to_celeba_frame` maps it into the same 178×218 CelebA frame. From
there training and inference share one function, :meth:`Preprocess.crop_resize` (square crop → ``input_size``),
then :meth:`Preprocess.normalize` (÷255, mean/std).

Geometry of the CelebA frame (``CELEBA_FRAME``): a scale + translation (no rotation: both frames have a horizontal
eye line) fitted by least squares from our canonical mean shape's eye centres and mouth corners (iBUG points 48, 54)
to the mean landmarks of CelebA's ``list_landmarks_align_celeba.txt`` (left eye ≈ (68.9, 111.2), right eye ≈
(107.7, 111.3), mouth corners ≈ (71.9, 152.1) and (105.2, 152.2); approximate means). Result: 0.2123 CelebA pixels per
canonical pixel (inter-ocular 170 canonical px → 36.1 px), eye midpoint at (88.4, 111.2). The frame reaches 84
canonical px above the canonical frame's top edge: those rows are filled by replicating the chip's top row (hair or
background), the same border rule as the chip itself.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["CELEBA_FRAME", "Preprocess", "chip_to_celeba_frame", "IMAGENET_MEAN", "IMAGENET_STD"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

CELEBA_FRAME: dict[str, Any] = {
    "name": "celeba-align-178x218",
    "width": 178,
    "height": 218,
    "eye_mid": (88.4, 111.2),  # CelebA pixels of the canonical eye midpoint (CENTER_X, EYE_Y)
    "px_per_canonical": 0.2123,  # CelebA pixels per canonical-frame pixel (IOD 170 → 36.1 px)
}


def chip_to_celeba_frame(chip: np.ndarray, chip_scale: float, celeba_frame: dict[str, Any] | None = None) -> np.ndarray:
    """An analysed face's canonical chip (``FaceRecord.chip``, ``chip_scale`` chip px per canonical px) → the face
    as an ``img_align_celeba`` image (218×178 RGB uint8)."""
    import cv2

    from parts_library import frame

    cf = CELEBA_FRAME if celeba_frame is None else celeba_frame
    chip = np.ascontiguousarray(chip)
    if chip.ndim != 3 or chip.shape[2] != 3:
        raise ValueError(f"face chip must be an RGB array (H, W, 3), got shape {chip.shape}")
    f = cf["px_per_canonical"] / chip_scale  # CelebA px per chip px (< 1: a downscale)
    # downscale with area averaging first, then place with a sub-pixel translation
    small = cv2.resize(chip, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
    fx = small.shape[1] / chip.shape[1]
    fy = small.shape[0] / chip.shape[0]
    ex, ey = cf["eye_mid"]
    # chip px (u, v) → canonical (u / chip_scale) → CelebA: s * (q - (CENTER_X, EYE_Y)) + eye_mid
    tx = ex - cf["px_per_canonical"] * frame.CENTER_X
    ty = ey - cf["px_per_canonical"] * frame.EYE_Y
    # small px (a, b) = (u * fx, v * fy); CelebA x = s/chip_scale * u + tx = (f / fx) * a + tx
    m = np.array([[f / fx, 0.0, tx], [0.0, f / fy, ty]], dtype=np.float64)
    return cv2.warpAffine(small, m, (cf["width"], cf["height"]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


@dataclass
class Preprocess:
    """How an image in the CelebA frame becomes the network input; stored in the run's ``config.json``."""

    input_size: int = 224
    crop: tuple[int, int, int, int] = (0, 20, 178, 198)  # x0, y0, x1, y1 in the CelebA frame: 178² forehead→chin
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    celeba_frame: dict[str, Any] = field(default_factory=lambda: dict(CELEBA_FRAME))
    color: str = "RGB"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["crop"] = list(self.crop)
        d["mean"], d["std"] = list(self.mean), list(self.std)
        d["celeba_frame"] = {k: list(v) if isinstance(v, tuple) else v for k, v in self.celeba_frame.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preprocess:
        cf = dict(d.get("celeba_frame") or CELEBA_FRAME)
        cf["eye_mid"] = tuple(cf["eye_mid"])
        return cls(input_size=int(d["input_size"]), crop=tuple(int(v) for v in d["crop"]),
                   mean=tuple(float(v) for v in d["mean"]), std=tuple(float(v) for v in d["std"]),
                   celeba_frame=cf, color=d.get("color", "RGB"))

    def crop_resize(self, rgb: np.ndarray) -> np.ndarray:
        """An RGB uint8 image in the CelebA frame (178×218) → the ``input_size``² uint8 crop fed to the network."""
        import cv2

        h, w = rgb.shape[:2]
        cf = self.celeba_frame
        if (w, h) != (cf["width"], cf["height"]):
            # CelebA-format folders with other sizes (e.g. a resized copy): scale the crop box with the image
            sx, sy = w / cf["width"], h / cf["height"]
        else:
            sx = sy = 1.0
        x0, y0, x1, y1 = self.crop
        x0, x1 = round(x0 * sx), round(x1 * sx)
        y0, y1 = round(y0 * sy), round(y1 * sy)
        patch = rgb[max(y0, 0):min(y1, h), max(x0, 0):min(x1, w)]
        s = self.input_size
        interp = cv2.INTER_AREA if patch.shape[0] > s else cv2.INTER_LINEAR
        return cv2.resize(np.ascontiguousarray(patch), (s, s), interpolation=interp)

    def normalize(self, batch_uint8):
        """(N, 3, S, S) uint8 tensor → float32, ÷255, minus mean, ÷ std."""
        import torch

        mean = torch.tensor(self.mean, device=batch_uint8.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=batch_uint8.device).view(1, 3, 1, 1)
        return (batch_uint8.float() / 255.0 - mean) / std

    def face_to_input(self, chip: np.ndarray, chip_scale: float) -> np.ndarray:
        """Analysed face chip → CelebA frame → network crop (uint8 HWC)."""
        return self.crop_resize(chip_to_celeba_frame(chip, chip_scale, self.celeba_frame))
