"""What a hairstyle is: :class:`HairSpec` (the parameters every hair part is drawn from) and the silhouette texture
(waves, curls, coils) as amplitude and frequency."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["HairSpec", "texture_wave", "bumps"]


@dataclass
class HairSpec:
    key: str
    name: str
    tags: list[str]
    texture: str = "straight"  # straight | wavy | curly | coily
    vol_top: float = 30.0  # volume above the cranium (px)
    vol_side: float = 16.0
    hairline: float = 250.0  # y of the hairline at the centre
    temple_y: float = 330.0
    side_bottom: float = 450.0
    recede: float = 0.0
    part: float | None = None  # x offset of a parting from the centre (px)
    fringe: str | None = None  # straight | swept | curtain | wispy | short | bowl | curly
    fringe_y: float = 352.0
    back_len: float | None = None  # y where the back hair ends
    back_w: float = 240.0  # half width of the back hair at its bottom
    back_shape: str = "fall"  # fall (hangs to back_len, widening) | round (a ball around the head: afros) | none
    # (only the extras hang to back_len: braids from cornrows)
    locks: float | None = None  # y where locks in front of the shoulders end
    lock_w: float = 62.0
    ends: str = "tips"  # how the locks end: tips (strand points) | under (a bob's blunt ends turning under)
    cap: bool = True
    coverage: float = 1.0  # opacity of the cap (buzz cuts are see-through)
    sides: str = "full"  # full | undercut | faded | none
    top: str = "round"  # round | flat | quiff | spiky | slick | mohawk | box (a high top)
    extra: list[str] = field(default_factory=list)  # names in extras.EXTRAS (bun, ponytail, braids, locs, puffs…)
    amp: float | None = None  # texture amplitude override

    def __post_init__(self):
        if self.locks is not None and self.temple_y == 330.0:  # long hair drapes over the temples
            self.temple_y = 392.0



def texture_wave(texture: str, amp: float | None):
    """(amplitude px, bumps per half turn) of the silhouette texture."""
    a, k = {"straight": (0.0, 0), "wavy": (5.0, 7), "curly": (11.0, 13), "coily": (7.0, 22)}[texture]
    return (a if amp is None else amp), k


def bumps(t: np.ndarray, amp: float, k: int, vary: float = 0.0) -> np.ndarray:
    """Rounded bumps (curls, waves) along ``t`` in 0..1: ``k`` per unit, ``amp`` px; ``vary`` > 0 makes neighbouring
    bumps differ in size (a slow beat across them), as real curls do."""
    if amp == 0 or k == 0:
        return np.zeros_like(t)
    size = 1.0 + vary * np.sin(2 * np.pi * 0.37 * k * t + 0.6)
    return amp * size * (np.abs(np.sin(np.pi * k * t)) ** 0.7 - 0.5)

