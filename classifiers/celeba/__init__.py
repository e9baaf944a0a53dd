"""The trained CelebA attribute classifier: data (torchvision CelebA layout), preprocessing that travels with the
weights, the model (timm backbone + 40-way attribute head + ordinal Monk skin-tone head), training and evaluation.

This package is light to import (names and constants only); torch/timm load inside the submodules that need them:

- :mod:`.preprocess` — the CelebA-like crop from an analysed face chip, resize, mean/std (``Preprocess``)
- :mod:`.data` — reading ``img_align_celeba/`` + ``list_attr_celeba.txt`` + ``list_eval_partition.txt`` + skin CSV
- :mod:`.model` — ``AttributeNet``, CORAL ordinal head, safetensors + JSON checkpoints (``load_run``)
- :mod:`.train` — ``train(...)`` (``memoji train-classifier``)
- :mod:`.evaluate` — ``evaluate(...)`` (``memoji eval-classifier``): per-attribute metrics beside the majority baseline
"""
from __future__ import annotations

from assembler.errors import MemojiError

__all__ = ["CELEBA_ATTRS", "NUM_TONES", "CheckpointError", "DatasetError"]

# the 40 attributes of list_attr_celeba.txt, in file order
CELEBA_ATTRS: tuple[str, ...] = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips", "Big_Nose",
    "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses",
    "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache",
    "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks",
    "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick",
    "Wearing_Necklace", "Wearing_Necktie", "Young",
)

NUM_TONES = 10  # Monk skin tone scale 1..10


class CheckpointError(MemojiError):
    """A run directory / checkpoint that exists but is not a usable attribute-classifier checkpoint."""

    exit_code = 4


class DatasetError(MemojiError):
    """A CelebA-format folder or skin-label CSV that is missing files or malformed."""

    exit_code = 2
