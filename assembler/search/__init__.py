"""The retrieve + search stages: attributes and descriptors → a Recipe.

One module per job: :mod:`.evidence` (what the photos say, averaged), :mod:`.placement` (part sizes from the
landmarks), :mod:`.constraints` (what the measurements allow, and soft agreement), :mod:`.colours`,
:mod:`.candidates` (the FAISS-ranked allowed parts), :mod:`.identity` (rendered and predicted identity),
:mod:`.joint` (the joint search, :func:`choose_recipe`) and :mod:`.baselines` (the evaluation's other methods).

Measured attributes are constraints, not votes: they fix the colours and forbid what the photo contradicts (no beard
where none was measured, no glasses that are not there, no long hair on a short-haired person). Inside those
constraints every category's candidates come from the FAISS part index (descriptor distance to the photo's
geometry), and a bounded, deterministic joint search ranks whole combinations by

    score = Σ_category (w_desc · descriptor agreement + w_attr · soft attribute agreement) + w_id · identity

where identity is a *centred* cosine: (avatar embedding − mean avatar embedding) against (photo embedding − mean
embedding of a reference population of real faces), averaged over photos. Plain cosine rewards what all avatars share
and what all faces share; the centred one rewards looking like *this* person rather than like anyone.

The avatar's embedding comes from the identity model (``index.identity``): a linear model of dlib's embedding of a
render, learned from thousands of rendered random avatars, so coordinate ascent can weigh every allowed part of every
category jointly in milliseconds without rendering. Optionally (``SearchConfig.max_evals``) rendered candidates are
then checked by the real embedder. The identity term only ranks candidates that already agree with what was
measured — on its own an embedder is exploited, not matched — and the evaluation judges with an embedder the search
never sees.

Methods (the same code serves the evaluation baselines):
``search`` (full), ``attributes`` (colours and constraints only, typical parts), ``greedy`` (one category at a time
maximising the raw identity similarity of real renders with no constraints — the published method), ``random``.
"""
from __future__ import annotations

from .candidates import OPTIONAL_CATEGORIES, SEARCH_ORDER
from .colours import FACIAL_COLOR_SURE, colors_from_attributes
from .constraints import (BEARD_SURE, BOLD_RIM, CURLY_TEXTURES, FACIAL_HAIR_KINDS, HAIR_LENGTH_OK,
                          HAIR_LENGTH_WIDE, HAIR_LENGTHS, KIND_PRESENT, LIGHT_FRAME_TAGS, MOUSTACHE_SURE, MOUTH_CLOSED,
                          MOUTH_OPEN, NO_FRINGE, SMILE_SURE, TEXTURE_STEPS, THIN_RIM, THINNING_SURE, THINNING_TAGS,
                          TIED_TAGS, allowed, expression_allowed, hair_length_class, presence, soft_agreement)
from .evidence import DESCRIPTOR_CATEGORIES, Evidence, gather_evidence
from .identity import IDENTITY_BACKGROUND, IDENTITY_SIZE, IdentityScorer, identity_model, identity_target
from .joint import METHODS, SearchConfig, check_method, choose_recipe, warm_up
from .placement import FIT_FACE, FIT_FACE_LENGTH, FIT_SCALE, FIT_SLICES, fit_face, fit_params

__all__ = ["Evidence", "gather_evidence", "SearchConfig", "choose_recipe", "check_method", "METHODS", "IdentityScorer",
           "identity_target", "identity_model", "warm_up", "allowed", "expression_allowed", "presence",
           "soft_agreement", "hair_length_class", "colors_from_attributes", "fit_params", "fit_face", "FIT_SCALE",
           "FIT_FACE", "FIT_FACE_LENGTH", "FIT_SLICES", "HAIR_LENGTHS", "HAIR_LENGTH_OK", "HAIR_LENGTH_WIDE",
           "TIED_TAGS", "THINNING_TAGS", "THINNING_SURE", "CURLY_TEXTURES", "NO_FRINGE", "TEXTURE_STEPS", "BEARD_SURE",
           "KIND_PRESENT", "MOUSTACHE_SURE", "BOLD_RIM", "THIN_RIM", "LIGHT_FRAME_TAGS", "FACIAL_HAIR_KINDS",
           "MOUTH_OPEN", "MOUTH_CLOSED", "SMILE_SURE", "FACIAL_COLOR_SURE", "IDENTITY_SIZE", "IDENTITY_BACKGROUND",
           "DESCRIPTOR_CATEGORIES", "OPTIONAL_CATEGORIES", "SEARCH_ORDER"]
