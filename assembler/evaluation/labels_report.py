"""The report of ``memoji eval --labels``: per photo what was measured and drawn, per attribute and group the agreement
with the labels, confusion tables, stability under relighting and under degradation, the machine-judged lineup;
markdown, CSV and JSON."""
from __future__ import annotations

import csv
import io
import math
import os
import platform
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .label_rules import agrees
from .labels import (ATTRIBUTES, CORE, FACIAL_HAIR_KINDS, HAIR_FAMILIES, LENGTHS, SKIN_BANDS, LabelRow,
                     LabelsFile, facial_hair_kind_label)

__all__ = ["PhotoResult", "LabelsReport"]


@dataclass
class PhotoResult:
    """What the pipeline made of one labelled photo (as taken, or under the relighting or degradation ``relight``)."""

    row: LabelRow
    relight: str = ""  # "" = the photo as taken; else a relighting or a degradation
    error: str | None = None
    measured: dict[str, str | None] = field(default_factory=dict)
    monk: int | None = None  # measured Monk tone
    hair_color: str | None = None  # measured hair palette colour
    recipes: dict[str, dict[str, Any]] = field(default_factory=dict)  # method -> values / colours / parts / error
    seconds: dict[str, float] = field(default_factory=dict)
    lineup: dict[str, list[float]] | None = None  # the judge's embeddings: "photo" and one per method's avatar
    lineup_error: str | None = None

    def values(self, source: str) -> dict[str, str | None]:
        """``measured`` or a method name (the recipe under that method); all ``None`` where it failed."""
        if self.error:
            return {}
        if source == "measured":
            return self.measured
        return (self.recipes.get(source) or {}).get("values") or {}



def _pct(ok: int, n: int) -> str:
    return f"{100 * ok / n:.0f} % ({ok}/{n})" if n else "–"


@dataclass
class LabelsReport:
    labels: LabelsFile
    methods: list[str]
    results: list[PhotoResult]  # photos as taken, in label order
    relit: list[PhotoResult] = field(default_factory=list)
    relightings: list[str] = field(default_factory=list)
    degraded: list[PhotoResult] = field(default_factory=list)  # every photo under every degradation (first method)
    degradations: list[str] = field(default_factory=list)
    lineup: bool = False  # the judge embedded every photo and avatar (:mod:`.lineup`)
    total_s: float = 0.0
    workers: int = 1
    reused: int = 0  # results taken from an interrupted run's progress file

    @property
    def sources(self) -> list[str]:
        return ["measured", *self.methods]

    @property
    def relight_method(self) -> str | None:
        return self.methods[0] if self.methods else None

    # -- scores --
    def agreement(self, source: str, group: str | None = None,
                  results: Sequence[PhotoResult] | None = None) -> dict[str, tuple[int, int]]:
        """``{attribute: (right, scored)}`` plus ``all`` (right on every scored core attribute) for ``source``
        (``measured`` or a method) over the photos of ``group`` (None: all) among ``results`` (default: the photos as
        taken)."""
        out = {a: [0, 0] for a in (*ATTRIBUTES, "all")}
        for res in self.results if results is None else results:
            if group is not None and res.row.group != group:
                continue
            got = res.values(source)
            every = True
            for attr in ATTRIBUTES:
                ok = agrees(attr, res.row.labels[attr], got.get(attr))
                if ok is None or (source == "measured" and attr == "headwear"):
                    continue
                out[attr][0] += ok
                out[attr][1] += 1
                every = every and (ok or attr not in CORE)
            out["all"][0] += every
            out["all"][1] += 1
        return {k: (v[0], v[1]) for k, v in out.items()}

    def confusion(self, attr: str, source: str, results: Sequence[PhotoResult] | None = None) -> Counter:
        """``Counter[(label class, got)]`` (``?`` where the source gave nothing) over ``results`` (default: the
        photos as taken). A hair colour labelled ``dark_brown`` keeps its own row (drawn black it is right)."""
        tally: Counter = Counter()
        for res in self.results if results is None else results:
            if attr == "facial_hair_kind":  # read from the facial_hair label, kind by kind
                if not res.error:
                    got = res.values(source).get(attr) or "?"
                    tally[(facial_hair_kind_label(res.row.labels["facial_hair"]), got)] += 1
                continue
            want = res.row.truth(attr)
            if want is None:
                continue
            if attr == "hair_colour" and res.row.labels[attr] == "dark_brown":
                want = "dark_brown"
            tally[(want, res.values(source).get(attr) or "?")] += 1
        return tally

    def relight_summary(self) -> list[dict[str, Any]]:
        """Per relighting: how often the relit photo's skin band / hair family equals the photo as taken's and the
        label's, measured and in the recipe of :attr:`relight_method`; mean |Δ Monk| of the measurement."""
        base = {r.row.path: r for r in self.results}
        out = []
        for name in self.relightings:
            rows = [r for r in self.relit if r.relight == name]
            d: dict[str, Any] = {"relight": name, "photos": len(rows), "refused": sum(bool(r.error) for r in rows)}
            for source in ("measured", self.relight_method):
                for attr in ("skin", "hair_colour"):
                    same = [0, 0]
                    lab = [0, 0]
                    for r in rows:
                        got = r.values(source).get(attr)
                        b = base.get(r.row.path)
                        if b is not None and not b.error and b.values(source).get(attr) is not None:
                            same[0] += got == b.values(source).get(attr)
                            same[1] += 1
                        ok = agrees(attr, r.row.labels[attr], got)
                        if ok is not None:
                            lab[0] += ok
                            lab[1] += 1
                    key = "measured" if source == "measured" else "recipe"
                    d[f"{key}_{attr}_same"] = tuple(same)
                    d[f"{key}_{attr}_label"] = tuple(lab)
            shifts = [abs(r.monk - base[r.row.path].monk) for r in rows
                      if r.monk is not None and r.row.path in base and base[r.row.path].monk is not None]
            d["monk_shift"] = sum(shifts) / len(shifts) if shifts else math.nan
            out.append(d)
        return out

    def degrade_summary(self) -> list[dict[str, Any]]:
        """The photos as taken, then each degradation: how many photos (and refused), and for the recipe of
        :attr:`relight_method` ``{attribute: (right, scored)}`` against the labels over the core attributes and
        ``all``, plus ``same``: ``{attribute: (unchanged, compared)}`` against the photo as taken."""
        m = self.relight_method
        base = {r.row.path: r.values(m) for r in self.results if not r.error}
        out = []
        for name in ["", *self.degradations]:
            rows = self.results if not name else [r for r in self.degraded if r.relight == name]
            agreement = self.agreement(m, results=rows)
            same = {a: [0, 0] for a in (*CORE, "all")}
            for r in rows:
                got = r.values(m)
                b = base.get(r.row.path)
                if b is not None and name:
                    for a in CORE:
                        same[a][0] += got.get(a) == b.get(a)
                        same[a][1] += 1
                    same["all"][0] += all(got.get(a) == b.get(a) for a in CORE)
                    same["all"][1] += 1
            out.append({"degradation": name or "as taken", "photos": len(rows),
                        "refused": sum(bool(r.error) for r in rows),
                        "right": {k: agreement[k] for k in (*CORE, "all")},
                        "same": {k: tuple(v) for k, v in same.items()}})
        return out

    def lineup_scores(self) -> dict[str, dict[str, float | None]]:
        """``{method: {photo: probability that the judge picks its own avatar}}`` (:func:`.lineup.lineup_scores`;
        empty without the lineup's embeddings)."""
        from .lineup import lineup_scores

        rows = [r for r in self.results if r.lineup and not r.error]
        if not self.lineup or not rows:
            return {}
        photos = {r.row.path: r.lineup["photo"] for r in rows}
        bands = {r.row.path: r.row.truth("skin") for r in rows}
        return {m: lineup_scores(photos, {r.row.path: r.lineup[m] for r in rows if m in r.lineup}, bands)
                for m in self.methods}

    def lineup_summary(self) -> dict[str, Any]:
        """Per method the lineup's :func:`.lineup.summary`, and every other method against the first
        (:func:`.lineup.paired`)."""
        from .lineup import paired, summary

        scores = self.lineup_scores()
        if not scores:
            return {}
        first = self.methods[0]
        return {"methods": {m: summary(s) for m, s in scores.items()},
                "paired": {m: paired(scores[first], scores[m]) for m in self.methods[1:]}}

    # -- writing --
    def _table(self, tally: Counter, rows: Sequence[str], cols: Sequence[str],
               corner: str = "label \\ got") -> list[str]:
        cols = [c for c in cols if any(tally[(r, c)] for r in rows)] + \
            sorted({g for (_, g) in tally if g not in cols})
        lines = [f"| {corner} | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        for r in rows:
            if any(tally[(r, c)] for c in cols):
                lines.append(f"| {r} | " + " | ".join(str(tally[(r, c)] or "") for c in cols) + " |")
        return lines

    def to_markdown(self) -> str:
        n_groups = Counter(r.row.group for r in self.results)
        md = [f"Labels: `{self.labels.path}` — {len(self.results)} photos ("
              + ", ".join(f"{g} {n_groups[g]}" for g in self.labels.groups) + "); methods: "
              + ", ".join(f"`{m}`" for m in self.methods)
              + (f"; {len(self.labels.errors)} label row(s) skipped" if self.labels.errors else "") + ".",
              "",
              "*measured* = the classifier's attributes (one per photo, whatever the method); a method's row = what "
              "that method's recipe draws. Each cell: agreement with the label, % (right/scored). *all* = right on "
              "every scored one of skin, hair colour, hair length, facial hair and glasses. Rules: "
              "`assembler/evaluation/labels.py`.", ""]
        attrs = list(ATTRIBUTES)
        md += ["| group | source | " + " | ".join(a.replace("_", " ") for a in attrs) + " | all |",
               "|---|---|" + "---|" * (len(attrs) + 1)]
        for group in [*self.labels.groups, None]:
            if group is None and len(self.labels.groups) < 2:
                continue
            for source in self.sources:
                s = self.agreement(source, group)
                cells = ["–" if source == "measured" and a == "headwear" else _pct(*s[a]) for a in attrs]
                md.append(f"| {group or 'all'} | {source} | " + " | ".join(cells) + f" | {_pct(*s['all'])} |")
        hair_rows = ("black", "dark_brown", "brown", "blonde", "red", "gray", "vivid")
        titles = {"skin": "Skin band", "hair_length": "Hair length",
                  "hair_colour": "Hair colour family (label dark_brown: right when brown or black)"}
        for attr, rows, cols in (("skin", SKIN_BANDS, SKIN_BANDS), ("hair_colour", hair_rows, HAIR_FAMILIES),
                                 ("hair_length", LENGTHS, LENGTHS)):
            title = titles[attr]
            md += ["", f"### {title}: label × got (all groups)", ""]
            for source in self.sources:
                md += [f"{source}:", ""] + self._table(self.confusion(attr, source), rows, [*cols, "none"]) + [""]
        md += ["", "### Facial hair kind: label × got (all groups; not in *all*)", "",
               "Which facial hair is drawn where the label names one: a beard drawn as a moustache alone, or as a "
               "chinstrap line (a beard part without its moustache), reads as a different face although *facial "
               "hair* above scores it present.", ""]
        kinds = [k for k in FACIAL_HAIR_KINDS if k != "chinstrap"]  # the labels' kinds (rows)
        for source in self.sources:
            tally = self.confusion("facial_hair_kind", source)
            right = sum(n for (want, got), n in tally.items() if want == got and want != "none")
            scored = sum(n for (want, _), n in tally.items() if want != "none")
            md += [f"{source}: the labelled kind {'measured' if source == 'measured' else 'drawn'} for "
                   f"{_pct(right, scored)} of the photos with facial hair",
                   ""] + self._table(tally, kinds, list(FACIAL_HAIR_KINDS)) + [""]
        if self.relightings:
            md += self._relight_markdown()
        if self.degradations:
            md += self._degrade_markdown()
        if self.lineup:
            md += self._lineup_markdown()
        bad = [r for r in self.results if r.error]
        if bad:
            md += ["", f"Photos the pipeline refused ({len(bad)}, a miss on every attribute): "
                   + "; ".join(f"`{r.row.path}` ({r.error})" for r in bad)]
        failed = [(r.row.path, m, v["error"]) for r in self.results for m, v in r.recipes.items() if v.get("error")]
        if failed:
            md += ["", f"Recipes that failed ({len(failed)}): "
                   + "; ".join(f"`{p}` {m} ({e})" for p, m, e in failed[:20])]
        if self.labels.errors:
            md += ["", "Label rows skipped: " + "; ".join(f"line {n}: {e}" for n, e in self.labels.errors[:20])]
        md += ["", self._timing_line(), ""]
        return "\n".join(md)

    def _degrade_markdown(self) -> list[str]:
        m = self.relight_method
        md = ["", f"### Degraded photos ({len(self.results)} photos × {len(self.degradations)} degradations, "
                  f"`assembler/evaluation/degrading.py`)", "",
              f"Every photo re-encoded as JPEG or shrunk, as press photos and video frames arrive. `{m}`'s recipe "
              "against the labels (% right), and the share of photos whose recipe draws the same as for the photo "
              "as taken (*= taken*, all five).", "",
              "| photos | " + " | ".join(a.replace("_", " ") for a in CORE) + " | all | = taken |",
              "|---|" + "---|" * (len(CORE) + 2)]
        for d in self.degrade_summary():
            refused = f" ({d['refused']} refused)" if d["refused"] else ""
            kept = "–" if d["degradation"] == "as taken" else _pct(*d["same"]["all"])
            md.append(f"| {d['degradation']}{refused} | " + " | ".join(_pct(*d["right"][a]) for a in CORE)
                      + f" | {_pct(*d['right']['all'])} | {kept} |")
        return md

    def _lineup_markdown(self) -> list[str]:
        from ..judge import JUDGE_NAME
        from .lineup import FOILS
        from .stats import p_text

        s = self.lineup_summary()
        md = ["", "### Lineup, judged by machine (`assembler/evaluation/lineup.py`)", "",
              f"Shown a photo and {FOILS + 1} avatars (its own and {FOILS} made from photos of other people with the "
              f"same labelled skin band), does the judge (`{JUDGE_NAME}`, never used by the search) pick its own "
              "avatar? Per photo the exact probability over every draw of the foils; "
              f"chance {100 / (FOILS + 1):.0f} %. "
              "The held-out test asks a person, with foils of the same gender too (not labelled here).", ""]
        if not s:
            bad = [r for r in self.results if r.lineup_error]
            return md + ["No photo could be judged" + (f" ({bad[0].lineup_error})." if bad else ".")]
        if not any(v["photos"] for v in s["methods"].values()):
            return md + [f"No photo has {FOILS} foils: a lineup needs photos of at least {FOILS + 1} people with one "
                         "labelled skin band."]
        md += ["| method | photos | picked (95 % CI) |", "|---|---|---|"]
        for m, v in s["methods"].items():
            md.append(f"| {m} | {v['photos']} | " + ("–" if not v["photos"] else
                      f"{100 * v['mean']:.0f} % ({100 * v['lo']:.0f}–{100 * v['hi']:.0f})") + " |")
        if s["paired"]:
            first = self.methods[0]
            md += ["", f"Paired, photo by photo: is `{first}`'s avatar picked more often than the other method's "
                       "avatar of the same photo? (two-sided sign test over the untied photos)", "",
                   "| versus | photos | better | tied | worse | sign-test p | mean difference |",
                   "|---|---|---|---|---|---|---|"]
            for m, v in s["paired"].items():
                md.append(f"| {m} | {v['photos']} | {v['better']} | {v['tied']} | {v['worse']} | "
                          f"{p_text(v['sign_test_p'])} | {100 * v['mean_difference']:+.0f} points |")
        return md

    def _relight_markdown(self) -> list[str]:
        m = self.relight_method
        n_photos = len({r.row.path for r in self.relit})
        md = ["", f"### Relighting ({n_photos} photos × {len(self.relightings)} relightings, "
                  f"`assembler/evaluation/relighting.py`)", "",
              f"Skin band and hair colour family of the relit photo: the same as the photo as taken (*= unlit*) and "
              f"the same as the label (*= label*); measured, and drawn by `{m}`. Δ Monk: mean |measured Monk tone "
              f"relit − as taken|.", "",
              "| relighting | photos | skin = unlit | skin = label | recipe skin = unlit | recipe skin = label "
              "| hair = unlit | hair = label | recipe hair = unlit | recipe hair = label | Δ Monk |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
        relit_paths = {x.row.path for x in self.relit}
        sub = LabelsReport(self.labels, self.methods, [r for r in self.results if r.row.path in relit_paths])
        b, br = sub.agreement("measured"), sub.agreement(m) if m else {}
        md.append(f"| as taken | {len(sub.results)} | – | {_pct(*b['skin'])} | – | {_pct(*br.get('skin', (0, 0)))} "
                  f"| – | {_pct(*b['hair_colour'])} | – | {_pct(*br.get('hair_colour', (0, 0)))} | – |")
        for d in self.relight_summary():
            refused = f" ({d['refused']} refused)" if d["refused"] else ""
            md.append(f"| {d['relight']} | {d['photos']}{refused} | " + " | ".join(
                _pct(*d[k]) for k in ("measured_skin_same", "measured_skin_label", "recipe_skin_same",
                                      "recipe_skin_label", "measured_hair_colour_same", "measured_hair_colour_label",
                                      "recipe_hair_colour_same", "recipe_hair_colour_label"))
                + (f" | {d['monk_shift']:.2f} |" if d["monk_shift"] == d["monk_shift"] else " | – |"))
        md += ["", "Skin band under relighting, label × measured (every relit photo):", ""]
        md += self._table(self.confusion("skin", "measured", self.relit), SKIN_BANDS, SKIN_BANDS)
        md += ["", "Skin band under relighting, as taken × relit (measured):", ""]
        base_by = {r.row.path: r.values("measured").get("skin") or "?" for r in self.results}
        tally = Counter((base_by.get(r.row.path, "?"), r.values("measured").get("skin") or "?") for r in self.relit)
        md += self._table(tally, [*SKIN_BANDS, "?"], SKIN_BANDS, corner="as taken \\ relit")
        return md

    def _timing_line(self) -> str:
        def median(vals):
            vals = sorted(vals)
            return vals[len(vals) // 2] if vals else math.nan

        parts = [f"analyze {median([r.seconds['analyze'] for r in self.results if 'analyze' in r.seconds]):.2f} s"]
        for m in [*self.methods, *(["lineup"] if self.lineup else [])]:
            parts.append(f"{m} {median([r.seconds[m] for r in self.results if m in r.seconds]):.2f} s")
        return (f"Median time per photo: {', '.join(parts)}. Wall time {self.total_s:.0f} s with {self.workers} "
                f"worker(s) on {platform.machine()} ({os.cpu_count()} CPUs), {len(self.results)} photos"
                + (f" + {len(self.relit)} relit" if self.relit else "")
                + (f" + {len(self.degraded)} degraded" if self.degraded else "")
                + (f"; {self.reused} results reused from an interrupted run (--resume)." if self.reused else "."))

    def csv_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Header and rows of the per-photo CSV (photos as taken, then the relit and the degraded ones; the
        ``relight`` column names the relighting or degradation)."""
        head = ["path", "group", "relight", "error", "confidence"] + [f"label_{a}" for a in ATTRIBUTES] + \
            ["monk_measured", "hair_color_measured"] + [f"measured_{a}" for a in ATTRIBUTES]
        for m in self.methods:
            head += [f"{m}_skin_color", f"{m}_hair_color", f"{m}_hair_part", f"{m}_facial_hair_part",
                     f"{m}_glasses_part", f"{m}_mouth_part", f"{m}_error"] + [f"{m}_{a}" for a in ATTRIBUTES]
        if self.lineup:
            head += [f"{m}_lineup" for m in self.methods]
        head.append("comment")
        scores = self.lineup_scores()
        rows = []
        for r in [*self.results, *self.relit, *self.degraded]:
            d: dict[str, Any] = {"path": r.row.path, "group": r.row.group, "relight": r.relight, "error": r.error,
                                 "confidence": r.row.confidence, "comment": r.row.comment,
                                 "monk_measured": r.monk, "hair_color_measured": r.hair_color}
            d.update({f"label_{a}": r.row.labels[a] for a in ATTRIBUTES})
            d.update({f"measured_{a}": v for a, v in r.measured.items()})
            for m, rec in r.recipes.items():
                parts = rec.get("parts") or {}
                d.update({f"{m}_skin_color": rec.get("skin"), f"{m}_hair_color": rec.get("hair"),
                          f"{m}_hair_part": parts.get("hair"), f"{m}_facial_hair_part": parts.get("facial_hair"),
                          f"{m}_glasses_part": parts.get("glasses"), f"{m}_mouth_part": parts.get("mouth"),
                          f"{m}_error": rec.get("error")})
                d.update({f"{m}_{a}": v for a, v in (rec.get("values") or {}).items()})
            if not r.relight:
                d.update({f"{m}_lineup": None if s.get(r.row.path) is None else round(s[r.row.path], 4)
                          for m, s in scores.items()})
            rows.append(d)
        return head, rows

    def to_csv(self) -> str:
        from ..batch import csv_cell

        head, rows = self.csv_rows()
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        for d in rows:
            w.writerow([csv_cell(d.get(k)) for k in head])
        return buf.getvalue()

    def save(self, out_dir) -> dict[str, Path]:
        """Write ``eval_labels.md`` and ``eval_labels.csv`` into ``out_dir`` (atomically, never outside it)."""
        from index.vector import atomic_write

        from ..outputs import ensure_writable_dir, inside

        out_dir = ensure_writable_dir(out_dir)
        paths = {"markdown": inside(out_dir, "eval_labels.md"), "csv": inside(out_dir, "eval_labels.csv")}
        atomic_write(paths["markdown"], ("# Glance attributes against labels\n\n" + self.to_markdown()).encode())
        atomic_write(paths["csv"], self.to_csv().encode())
        return paths
