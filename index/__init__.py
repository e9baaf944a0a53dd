"""FAISS indices: part descriptors per category and rendered-avatar identity embeddings (a vector store that knows
no faces).

- :class:`VectorIndex` — exact FAISS search (L2, or inner product on L2-normalised vectors) over vectors with ids;
  faiss-gpu when installed and a GPU is visible, faiss-cpu otherwise.
- :class:`PartIndex` — one index per part category over the manifest's descriptors, z-scored per dimension, saved
  beside the manifest with its sha256 and rebuilt when stale: ``PartIndex.open().query("eyes", descriptor, k=8)``.
- :class:`AvatarIndex` — identity embeddings of rendered random avatars → their specs; built from callables
  (``make_spec``, ``render``, ``embed``) so this package never imports face code.
- :class:`IdentityModel` — a linear model of a render's identity embedding learned from the avatar index, so the
  search scores every combination of parts without rendering.
"""
from .avatars import AvatarIndex
from .identity import IdentityModel
from .parts import PartIndex, StaleIndexError, default_index_dir
from .vector import VectorIndex, gpu_available

__all__ = ["VectorIndex", "PartIndex", "AvatarIndex", "IdentityModel", "StaleIndexError", "default_index_dir", "gpu_available"]
