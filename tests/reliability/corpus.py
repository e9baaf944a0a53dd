"""A corpus of hostile inputs for the ``memoji`` CLI, and the command to run on each (issue 16, item 6).

``python tests/reliability/corpus.py OUTDIR`` writes the input files under OUTDIR and prints one line per case
(id, expected exit codes, command); ``build_corpus(outdir)`` does the same and returns the :class:`Case` list that
``test_cli_hostile.py`` runs through the real CLI in a subprocess.

Placeholders in a case's argv and env, filled in when it runs:

- ``{W}``: the working folder (the subprocess's cwd); outputs go to ``{W}/out`` unless a case says otherwise;
- ``{R}``: the folder above it (the *sentinel* folder: nothing may appear there).

Exit codes are those of the CLI contract (``assembler/cli/__init__.py``): 0 done, 2 bad input or usage, 3 no usable
face, 4 model file missing or unreadable, 5 optional dependency missing, 6 the OS refused a user path, 7 a batch
finished with failed rows; 1 is a generic library error (a locked batch folder); 70 an internal error (never
expected here). Where the contract allows two readings (is a FIFO given as a photo "bad input" or "not a regular
file"?) a case accepts both; it never accepts a traceback, a hang, or a file written outside the output folder.

Every input is made here from the public-domain photos in tests/data and ``skimage.data.astronaut()``; nothing is
downloaded.
"""
from __future__ import annotations

import json
import os
import random
import shlex
import shutil
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Case", "build_corpus", "case_list", "DATA"]

DATA = Path(__file__).resolve().parents[1] / "data"

OK = frozenset({0})
BAD = frozenset({2})  # bad input / usage
FACE = frozenset({3})
MODEL = frozenset({4})
OSERR = frozenset({6})
ROWS = frozenset({7})
BAD_OR_OS = frozenset({2, 6})

# the SVG injection the issue reports for --background
INJECTION = '#"/><image href="file:///etc/passwd"/><script>alert(1)</script>'


@dataclass(frozen=True)
class Case:
    """One hostile CLI invocation and what must hold after it."""

    id: str
    group: str
    argv: tuple[str, ...]  # after ``memoji``; may hold {W} / {R}
    codes: frozenset[int]  # accepted exit codes
    env: tuple[tuple[str, str], ...] = ()
    allowed: tuple[str, ...] = ("out",)  # paths under {W} where new files may appear
    prep: tuple[tuple[str, str], ...] = ()  # ("file"|"dir"|"ro"|"full"|"symlink", path under {R}) made first
    wrap: str | None = None  # "perm": run without root's permission bypass; "full": {W}/full is a 16 KiB tmpfs
    outputs: tuple[tuple[str, str], ...] = ()  # (glob under {W}, kind): must exist and be that format on exit 0
    absent: tuple[str, ...] = ()  # paths under {W} that must not exist afterwards
    mentions: str | None = None  # regex that stdout+stderr must match on exit 0
    no_injection: bool = False  # no new file may contain '<script' or '<image'
    fast: bool = False  # must fail before any photo is analysed (checked against a time bound)
    batch_ids: tuple[str, ...] | None = None  # the ids results.csv must hold, each row exactly once (exit 0/7)
    batch_status: tuple[tuple[str, str], ...] = ()  # (id, status) pairs results.csv must show
    note: str = ""

    def command(self, work: str, root: str) -> list[str]:
        return [a.replace("{W}", work).replace("{R}", root) for a in self.argv]

    def environ(self, work: str, root: str) -> dict[str, str]:
        return {k: v.replace("{W}", work).replace("{R}", root) for k, v in self.env}


# -- file makers ---------------------------------------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, bit_depth: int, color_type: int, raw: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(raw, 6))
            + _png_chunk(b"IEND", b""))


def _png16_rgb(img) -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow cannot write one) from an 8-bit RGB image."""
    import numpy as np

    arr = np.asarray(img.convert("RGB"), dtype=np.uint16) * 257
    rows = [b"\x00" + arr[y].astype(">u2").tobytes() for y in range(arr.shape[0])]
    return _png(arr.shape[1], arr.shape[0], 16, 2, b"".join(rows))


def _mkfifo(path: Path) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _make_files(c: Path) -> dict[str, str]:
    """Write every input under ``c``; return named paths used by the cases."""
    import numpy as np
    from PIL import Image

    rng = random.Random(16)
    c.mkdir(parents=True, exist_ok=True)
    p: dict[str, str] = {}

    def put(name: str, rel: str, data: bytes | str) -> None:
        p[name] = str(_write(c / rel, data))

    # the real photos, copied so the corpus folder holds everything a case reads
    for f in ("obama.jpg", "obama2.jpg", "biden2.jpg"):
        shutil.copyfile(DATA / f, c / f)
        p[f.split(".")[0]] = str(c / f)
    obama = Image.open(DATA / "obama.jpg").convert("RGB")
    biden = Image.open(DATA / "biden2.jpg").convert("RGB")
    small = obama.resize((455, 568))
    from skimage import data as skdata

    astro = Image.fromarray(skdata.astronaut())
    astro.save(c / "astronaut.png")
    p["astronaut"] = str(c / "astronaut.png")

    # -- images --------------------------------------------------------------------------------------------------
    raw = (DATA / "obama.jpg").read_bytes()
    put("empty_jpg", "img/empty.jpg", b"")
    put("truncated_jpg", "img/truncated.jpg", raw[: len(raw) * 2 // 5])
    put("header_only_jpg", "img/header_only.jpg", raw[:200])
    put("text_jpg", "img/text.jpg", "this is not an image, it is a text file named .jpg\n" * 20)
    ok_png = _png(64, 64, 8, 2, b"".join(b"\x00" + bytes(64 * 3) for _ in range(64)))
    put("bad_crc_png", "img/bad_crc.png", ok_png[:-20] + bytes([ok_png[-20] ^ 0xFF]) + ok_png[-19:])
    Image.new("RGB", (1, 1), (200, 150, 120)).save(c / "img/one_pixel.png")
    p["one_pixel_png"] = str(c / "img/one_pixel.png")
    put("zero_width_png", "img/zero_width.png", _png(0, 64, 8, 2, b""))
    # a 100,000 x 100,000 header over a few bytes of data: a decompression bomb by its header
    put("bomb_header_png", "img/bomb_header.png", _png(100_000, 100_000, 8, 2, b"\x00" * 1024))
    # a real 81-megapixel bilevel PNG (about 10 kB on disk)
    Image.new("1", (9000, 9000), 0).save(c / "img/bomb_81mp.png", optimize=True)
    p["bomb_81mp_png"] = str(c / "img/bomb_81mp.png")
    pages = [small, biden.resize((480, 480)), astro]
    import tifffile  # Pillow 13 cannot write a multi-page TIFF (save_all fails in its encoder)

    with tifffile.TiffWriter(c / "img/multipage.tiff") as tif:
        for page in pages:
            tif.write(np.asarray(page.convert("RGB")), photometric="rgb")
    p["multipage_tiff"] = str(c / "img/multipage.tiff")
    put("png16_rgb", "img/obama_16bit_rgb.png", _png16_rgb(small))
    gray16 = (np.asarray(small.convert("L"), dtype=np.uint16) * 257)
    Image.fromarray(gray16).save(c / "img/obama_16bit_gray.png")
    p["png16_gray"] = str(c / "img/obama_16bit_gray.png")
    small.convert("CMYK").save(c / "img/obama_cmyk.jpg", quality=92)
    p["cmyk_jpg"] = str(c / "img/obama_cmyk.jpg")
    rgba = small.convert("RGBA")
    alpha = Image.new("L", small.size, 255)
    alpha.paste(0, (0, 0, small.size[0], 40))
    rgba.putalpha(alpha)
    rgba.save(c / "img/obama_rgba.png")
    p["rgba_png"] = str(c / "img/obama_rgba.png")
    small.convert("L").save(c / "img/obama_gray.jpg", quality=92)
    p["gray_jpg"] = str(c / "img/obama_gray.jpg")
    small.save(c / "img/obama_anim.gif", save_all=True, append_images=[small.transpose(Image.FLIP_LEFT_RIGHT)],
               duration=200, loop=0)
    p["anim_gif"] = str(c / "img/obama_anim.gif")
    small.save(c / "img/obama.webp", quality=90)
    p["webp"] = str(c / "img/obama.webp")
    (c / "img/photo.jpg").mkdir(parents=True, exist_ok=True)  # a directory named like a photo
    p["dir_jpg"] = str(c / "img/photo.jpg")
    _mkfifo(c / "img/fifo.jpg")
    p["fifo_jpg"] = str(c / "img/fifo.jpg")
    for a, b in (("loop_a.jpg", "loop_b.jpg"), ("loop_b.jpg", "loop_a.jpg")):
        if (c / "img" / a).is_symlink():
            (c / "img" / a).unlink()
        os.symlink(b, c / "img" / a)
    p["loop_jpg"] = str(c / "img/loop_a.jpg")
    if (c / "img/dangling.jpg").is_symlink():
        (c / "img/dangling.jpg").unlink()
    os.symlink("no_such_target.jpg", c / "img/dangling.jpg")
    p["dangling_jpg"] = str(c / "img/dangling.jpg")
    p["missing_jpg"] = str(c / "img/missing/nope.jpg")
    p["newline_missing_jpg"] = str(c / "img/two\nlines.jpg")
    shutil.copyfile(DATA / "obama.jpg", c / "img/unreadable.jpg")
    os.chmod(c / "img/unreadable.jpg", 0)
    p["unreadable_jpg"] = str(c / "img/unreadable.jpg")
    Image.new("RGB", (640, 480), (128, 128, 128)).save(c / "img/gray_flat.png")
    p["noface_flat"] = str(c / "img/gray_flat.png")
    noise = np.frombuffer(rng.randbytes(640 * 480 * 3), np.uint8).reshape(480, 640, 3)
    Image.fromarray(noise).save(c / "img/noise.png")
    p["noface_noise"] = str(c / "img/noise.png")
    obama.resize((28, 35)).save(c / "img/tiny_image.png")  # under the 32 px a side any face needs
    p["tiny_image"] = str(c / "img/tiny_image.png")
    speck = Image.new("RGB", (640, 480), (128, 128, 128))
    speck.paste(obama.resize((24, 30)), (300, 200))
    speck.save(c / "img/tiny_face.png")
    p["tiny_face"] = str(c / "img/tiny_face.png")
    h = 600
    a_img = obama.resize((round(obama.width * h / obama.height), h))
    b_img = biden.resize((h, h))
    two = Image.new("RGB", (a_img.width + b_img.width + 60, h + 40), (235, 235, 235))
    two.paste(a_img, (20, 20))
    two.paste(b_img, (a_img.width + 40, 20))
    two.save(c / "img/two_faces.jpg", quality=92)
    p["two_faces"] = str(c / "img/two_faces.jpg")
    bad_name = os.fsdecode(b"ph\xffoto.jpg")
    shutil.copyfile(DATA / "obama.jpg", c / "img" / bad_name)
    p["bad_utf8_name"] = str(c / "img" / bad_name)

    # -- recipes -------------------------------------------------------------------------------------------------
    golden = json.loads((DATA / "golden/obama.recipe.json").read_text())
    valid = {"schema_version": 1, **golden}
    put("recipe_ok", "rec/valid.recipe.json", json.dumps(valid, indent=1))

    def recipe(name: str, **changes) -> None:
        r = json.loads(json.dumps(valid))
        for k, v in changes.items():
            if v is _DROP:
                r.pop(k, None)
            else:
                r[k] = v
        put(f"rec_{name}", f"rec/{name}.json", json.dumps(r))

    def colour(name: str, value) -> None:
        recipe(name, colors={**valid["colors"], "hair": value})

    put("rec_not_json", "rec/not_json.json", "parts: {face: round}  # YAML-ish, not JSON\n")
    put("rec_list", "rec/list.json", json.dumps([valid]))
    put("rec_string", "rec/string.json", json.dumps("a recipe"))
    put("rec_empty", "rec/empty.json", b"")
    recipe("no_parts", parts=_DROP)
    recipe("no_colors", colors=_DROP)
    recipe("params_string", params="big eyes please")
    recipe("params_null", params=None)
    recipe("params_number", params=42)
    recipe("params_list", params=[1, 2, 3])
    recipe("param_value_string", params={**valid["params"], "face": {"scale": "large"}})
    # 10**400: valid JSON, too big for a float
    text = json.dumps({**valid, "params": {**valid["params"], "face": {"scale": 1.0}}})
    put("rec_params_1e400", "rec/params_1e400.json", text.replace('"scale": 1.0', '"scale": 1' + "0" * 400, 1))
    put("rec_params_nan", "rec/params_nan.json", text.replace('"scale": 1.0', '"scale": NaN', 1))
    recipe("colors_list", colors=list(valid["colors"].values()))
    colour("color_double_hash", "##abcdef")
    colour("color_negative_hex", "#-1-1-1")
    colour("color_spaces", "# 1 2 3")
    colour("color_script", '#"/><script>alert(1)</script>')
    colour("color_unknown_name", "not_a_colour_name")
    recipe("unknown_part", parts={**valid["parts"], "hair": "curley_99"})
    recipe("part_not_string", parts={**valid["parts"], "hair": {"id": "spiky_01"}})
    recipe("schema_999", schema_version=999)
    depth = 100_000
    put("rec_nested", "rec/nested.json", '{"parts": ' + "[" * depth + "]" * depth + "}")
    # a huge recipe: valid, with 48 MB of junk in one extra key
    put("rec_huge", "rec/huge.json", json.dumps({**valid, "junk": "x" * (48 << 20)}))
    put("rec_utf8_bom", "rec/utf8_bom.json", "\ufeff" + json.dumps(valid))
    put("rec_utf16", "rec/utf16.json", json.dumps(valid).encode("utf-16"))
    put("rec_bad_utf8", "rec/bad_utf8.json", json.dumps(valid).encode()[:-40] + b"\xff\xfe\xc3" + b"}" * 3)
    _mkfifo(c / "rec/fifo.json")
    p["rec_fifo"] = str(c / "rec/fifo.json")
    (c / "rec/dir.json").mkdir(exist_ok=True)
    p["rec_dir"] = str(c / "rec/dir.json")
    p["rec_missing"] = str(c / "rec/missing/nope.json")
    shutil.copyfile(c / "rec/valid.recipe.json", c / "rec/unreadable.json")
    os.chmod(c / "rec/unreadable.json", 0)
    p["rec_unreadable"] = str(c / "rec/unreadable.json")
    put("stylize_garbage", "cfg/stylize.toml", b"\x00\x01 = = [[[ not toml \xff\n")

    # -- batch CSVs (photo paths relative to the CSV's folder, as users write them) -------------------------------
    (c / "csv").mkdir(parents=True, exist_ok=True)
    for f in ("obama.jpg", "biden2.jpg"):
        shutil.copyfile(DATA / f, c / "csv" / f)
    _mkfifo(c / "csv/fifo.jpg")
    (c / "csv/dir.jpg").mkdir(exist_ok=True)
    (c / "csv/empty.jpg").write_bytes(b"")
    put("csv_empty", "csv/empty.csv", b"")
    put("csv_no_header", "csv/no_header.csv", "r1,obama.jpg\nr2,biden2.jpg\n")
    put("csv_no_id", "csv/no_id.csv", "name,photo\nr1,obama.jpg\n")
    put("csv_no_photo", "csv/no_photo.csv", "id,picture\nr1,obama.jpg\n")
    put("csv_garbage", "csv/garbage.csv", random.Random(7).randbytes(4096))
    put("csv_ragged", "csv/ragged.csv", "id,photo\nr1,obama.jpg,extra,extra2\nr2,obama.jpg\n")
    put("csv_bad_ids", "csv/bad_ids.csv",
        "id,photo\n../x,obama.jpg\n/etc,obama.jpg\n,obama.jpg\ndup,obama.jpg\ndup,biden2.jpg\n")
    put("csv_formula", "csv/formula.csv",
        'id,photo\n"=HYPERLINK(""http://x"")",obama.jpg\n+1,nope.jpg\n-1,biden2.jpg\n@SUM(1),=cmd|calc.jpg\n')
    put("csv_bad_photos", "csv/bad_photos.csv",
        "id,photo\nmissing,nope.jpg\nfifo,fifo.jpg\ndir,dir.jpg\ndevzero,/dev/zero\nempty,empty.jpg\n")
    put("csv_ok", "csv/ok.csv", "id,photo\nobama,obama.jpg\nbiden,biden2.jpg\n")
    put("csv_bad_override", "csv/bad_override.csv",
        'id,photo,hair_color,hair\nneg,obama.jpg,#-1-1-1,\ninj,obama.jpg,"#""/><script>x</script>",\n'
        "part,obama.jpg,,curley_99\n")
    put("csv_nul", "csv/nul.csv", b"id,photo\nr\x001,obama.jpg\nr2,obama\x00.jpg\n")
    put("csv_bad_utf8", "csv/bad_utf8.csv", b"id,photo\nr\xff\xfe1,obama.jpg\n")
    put("csv_excel", "csv/excel.csv", "\ufeffid,photo\r\nr1,obama.jpg\r\n")  # what Excel saves: BOM + CRLF
    put("csv_semicolon", "csv/semicolon.csv", "id;photo\nr1;obama.jpg\n")
    put("csv_5000_rows", "csv/rows_5000.csv", "id,photo\n" + "".join(f"m{i},missing_{i}.jpg\n" for i in range(5000)))
    put("csv_huge_cell", "csv/huge_cell.csv", "id,photo\nr1," + "a" * (10 << 20) + "\n")
    _mkfifo(c / "csv/fifo.csv")
    p["csv_fifo"] = str(c / "csv/fifo.csv")
    (c / "csv/dir.csv").mkdir(exist_ok=True)
    p["csv_dir"] = str(c / "csv/dir.csv")
    p["csv_missing"] = str(c / "csv/missing/nope.csv")

    # -- weights ---------------------------------------------------------------------------------------------------
    models = _model_dir()
    for key, fname in (("landmarks", "shape_predictor_68_face_landmarks.dat"),
                       ("resnet", "dlib_face_recognition_resnet_model_v1.dat")):
        src = models / fname if models else None
        if src is not None and src.is_file():
            with open(src, "rb") as fh:
                put(f"w_{key}_truncated", f"weights/{key}_truncated.dat", fh.read(1 << 20))
        else:  # no packaged file to cut: a prefix of a dlib file's shape is as good as any
            put(f"w_{key}_truncated", f"weights/{key}_truncated.dat", b"\x00\x00\x00\x01" * 1024)
        put(f"w_{key}_random", f"weights/{key}_random.dat", random.Random(key).randbytes(1 << 20))
        put(f"w_{key}_empty", f"weights/{key}_empty.dat", b"")
    (c / "weights/dir.dat").mkdir(exist_ok=True)
    p["w_dir"] = str(c / "weights/dir.dat")
    p["w_missing"] = str(c / "weights/missing/nope.dat")
    put("w_judge_garbage", "weights/graph_final.pb", random.Random(3).randbytes(256 << 10))
    for person, photos in (("obama", ("obama.jpg", "obama2.jpg")), ("biden", ("biden2.jpg",))):
        (c / "evalset" / person).mkdir(parents=True, exist_ok=True)
        for f in photos:
            shutil.copyfile(DATA / f, c / "evalset" / person / f)
    p["evalset"] = str(c / "evalset")
    return p


class _Drop:
    pass


_DROP = _Drop()


def _model_dir() -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "models"


# -- the cases -----------------------------------------------------------------------------------------------------
def case_list(p: dict[str, str]) -> list[Case]:
    """Every case, given the named input paths ``p`` (from :func:`_make_files`, or placeholders for ids only)."""
    cases: list[Case] = []

    def add(id, group, argv, codes, **kw):
        cases.append(Case(id=id, group=group, argv=tuple(argv), codes=frozenset(codes), **kw))

    png_out = (("out/*.png", "png"),)

    # -- images through `make` (and a few through `analyze`) -------------------------------------------------------
    def make_img(id, key, codes, **kw):
        add(id, "image", ["make", p[key], "-o", "out"], codes, **kw)

    make_img("img_empty_file", "empty_jpg", BAD)
    make_img("img_truncated_jpeg", "truncated_jpg", BAD)
    make_img("img_jpeg_header_only", "header_only_jpg", BAD)
    make_img("img_text_named_jpg", "text_jpg", BAD)
    make_img("img_png_bad_crc", "bad_crc_png", BAD)
    make_img("img_1x1_png", "one_pixel_png", {2, 3})
    make_img("img_zero_width_png", "zero_width_png", BAD)
    make_img("img_bomb_header_100000x100000", "bomb_header_png", BAD)
    make_img("img_bomb_81mp_png", "bomb_81mp_png", BAD)
    make_img("img_multipage_tiff", "multipage_tiff", OK, outputs=png_out, mentions=r"page 1 of 3")
    make_img("img_16bit_rgb_png", "png16_rgb", OK, outputs=png_out)
    make_img("img_16bit_gray_png", "png16_gray", OK, outputs=png_out)
    make_img("img_cmyk_jpeg", "cmyk_jpg", OK, outputs=png_out)
    make_img("img_rgba_png", "rgba_png", OK, outputs=png_out)
    make_img("img_grayscale_jpeg", "gray_jpg", OK, outputs=png_out)
    make_img("img_animated_gif", "anim_gif", OK, outputs=png_out)
    make_img("img_webp", "webp", OK, outputs=png_out)
    make_img("img_astronaut_png", "astronaut", OK, outputs=png_out)
    make_img("img_directory_named_jpg", "dir_jpg", BAD_OR_OS)
    make_img("img_fifo", "fifo_jpg", BAD_OR_OS)
    add("img_dev_zero", "image", ["make", "/dev/zero", "-o", "out"], BAD_OR_OS)
    make_img("img_symlink_loop", "loop_jpg", BAD_OR_OS)
    make_img("img_dangling_symlink", "dangling_jpg", BAD_OR_OS)
    make_img("img_missing", "missing_jpg", BAD_OR_OS)
    make_img("img_missing_name_with_newline", "newline_missing_jpg", BAD_OR_OS)
    make_img("img_unreadable_chmod000", "unreadable_jpg", OSERR, wrap="perm")
    make_img("img_no_face_flat", "noface_flat", FACE)
    make_img("img_no_face_noise", "noface_noise", FACE)
    make_img("img_tiny_image_28x35", "tiny_image", {2, 3})
    make_img("img_tiny_face_in_big_image", "tiny_face", {0, 3})  # small faces are analysed and flagged, by design
    make_img("img_two_faces", "two_faces", OK, outputs=png_out, mentions=r"\b2 faces|of 2\b")
    add("img_two_faces_index_1", "image", ["make", p["two_faces"], "-o", "out", "--face-index", "1"], OK,
        outputs=png_out)
    make_img("img_name_invalid_utf8", "bad_utf8_name", {0, 2})
    add("img_analyze_empty", "image", ["analyze", p["empty_jpg"]], BAD, allowed=())
    add("img_analyze_fifo", "image", ["analyze", p["fifo_jpg"]], BAD_OR_OS, allowed=())
    add("img_analyze_bomb", "image", ["analyze", p["bomb_header_png"]], BAD, allowed=())

    # -- recipes through `render` ----------------------------------------------------------------------------------
    def render_rec(id, key, codes, **kw):
        add(id, "recipe", ["render", p[key], "-o", "out/a.png"], codes, **kw)

    for name in ("not_json", "list", "string", "empty", "no_parts", "no_colors", "params_string", "params_number",
                 "params_list", "param_value_string", "params_1e400", "params_nan", "colors_list",
                 "color_double_hash", "color_negative_hex", "color_spaces", "color_unknown_name", "unknown_part",
                 "part_not_string", "schema_999", "nested", "bad_utf8"):
        render_rec(f"rec_{name}", f"rec_{name}", BAD, absent=("out/a.png",))
    render_rec("rec_params_null", "rec_params_null", {0, 2})
    render_rec("rec_utf8_bom_ok", "rec_utf8_bom", OK, outputs=(("out/a.png", "png"),))
    render_rec("rec_utf16", "rec_utf16", BAD, absent=("out/a.png",))
    render_rec("rec_color_script", "rec_color_script", BAD, absent=("out/a.png",), no_injection=True)
    add("rec_color_script_svg", "recipe", ["render", p["rec_color_script"], "-o", "out/a.svg"], BAD,
        absent=("out/a.svg",), no_injection=True)
    render_rec("rec_huge_file", "rec_huge", {0, 2})
    render_rec("rec_fifo", "rec_fifo", BAD_OR_OS)
    render_rec("rec_directory", "rec_dir", BAD_OR_OS)
    render_rec("rec_missing", "rec_missing", BAD_OR_OS)
    add("rec_dev_zero", "recipe", ["render", "/dev/zero", "-o", "out/a.png"], BAD_OR_OS)
    render_rec("rec_unreadable_chmod000", "rec_unreadable", OSERR, wrap="perm")

    # -- render outputs --------------------------------------------------------------------------------------------
    r = p["recipe_ok"]
    add("render_png", "render", ["render", r, "-o", "out/a.png"], OK, outputs=(("out/a.png", "png"),))
    add("render_svg", "render", ["render", r, "-o", "out/a.svg"], OK, outputs=(("out/a.svg", "svg"),))
    add("render_jpg_is_jpeg", "render", ["render", r, "-o", "out/a.jpg"], OK, outputs=(("out/a.jpg", "jpeg"),))
    add("render_JPEG_upper_is_jpeg", "render", ["render", r, "-o", "out/a.JPEG"], OK,
        outputs=(("out/a.JPEG", "jpeg"),))
    add("render_webp_is_webp", "render", ["render", r, "-o", "out/a.webp"], OK, outputs=(("out/a.webp", "webp"),))
    add("render_unknown_ext_refused", "render", ["render", r, "-o", "out/a.unknownext"], BAD,
        absent=("out/a.unknownext",))
    add("render_into_file_as_folder", "render", ["render", r, "-o", "afile/a.png"], OSERR, allowed=(),
        prep=(("file", "work/afile"),))
    add("render_into_readonly_folder", "render", ["render", r, "-o", "ro/a.png"], OSERR, allowed=(),
        prep=(("ro", "work/ro"),), wrap="perm")
    add("render_disk_full", "render", ["render", r, "-o", "full/a.png"], OSERR, allowed=("full",),
        prep=(("full", "work/full"),), wrap="full")
    add("render_output_is_directory", "render", ["render", r, "-o", "out/d.png"], BAD_OR_OS,
        prep=(("dir", "work/out/d.png"),))
    add("render_output_symlink_to_outside", "render", ["render", r, "-o", "out/a.png"], {0, 2, 6},
        prep=(("file", "victim.png"), ("symlink", "work/out/a.png=>../../victim.png")))
    add("render_bg_injection_svg", "render", ["render", r, "-o", "out/a.svg", "--background", INJECTION], BAD,
        absent=("out/a.svg",), no_injection=True)
    add("render_bg_injection_png", "render", ["render", r, "-o", "out/a.png", "--background", INJECTION], BAD,
        absent=("out/a.png",), no_injection=True)
    add("render_bg_negative_hex", "render", ["render", r, "-o", "out/a.svg", "--background", "#-1-1-1"], BAD,
        absent=("out/a.svg",))
    add("render_bg_spaces_hex", "render", ["render", r, "-o", "out/a.svg", "--background", "# 1 2 3"], BAD,
        absent=("out/a.svg",))
    add("render_bg_double_hash", "render", ["render", r, "-o", "out/a.svg", "--background", "##abcdef"], BAD,
        absent=("out/a.svg",))
    add("render_bg_palette_name_ok", "render", ["render", r, "-o", "out/a.svg", "--background", "navy"], OK,
        outputs=(("out/a.svg", "svg"),))
    add("render_bg_hex_ok", "render", ["render", r, "-o", "out/a.png", "--background", "#336699"], OK,
        outputs=(("out/a.png", "png"),))
    add("render_bg_short_hex_ok", "render", ["render", r, "-o", "out/a.png", "--background", "#abc"], OK,
        outputs=(("out/a.png", "png"),))
    add("render_size_0", "render", ["render", r, "-o", "out/a.png", "--size", "0"], BAD, absent=("out/a.png",))
    add("render_size_100000", "render", ["render", r, "-o", "out/a.png", "--size", "100000"], BAD,
        absent=("out/a.png",))

    # -- make options ------------------------------------------------------------------------------------------------
    o = p["obama"]

    def make_opt(id, extra, codes, photo=None, **kw):
        add(id, "make", ["make", photo or o, "-o", "out", *extra], codes, **kw)

    make_opt("make_name_dotdot", ["--name", "../../x"], {0, 2})
    make_opt("make_name_absolute", ["--name", "{R}/abs/x"], {0, 2}, prep=(("dir", "abs"),))
    make_opt("make_name_empty", ["--name", ""], {0, 2})
    make_opt("make_name_subfolder", ["--name", "a/../../b"], {0, 2})
    make_opt("make_face_index_minus_1", ["--face-index", "-1"], {2, 3}, fast=True)
    make_opt("make_face_index_minus_100", ["--face-index", "-100"], {2, 3}, fast=True)
    make_opt("make_face_index_99_one_face", ["--face-index", "99"], FACE)
    make_opt("make_size_0", ["--size", "0"], BAD, fast=True)
    make_opt("make_size_minus_1", ["--size", "-1"], BAD, fast=True)
    make_opt("make_override_unknown_skin", ["--override", "skin=monk_99"], BAD, fast=True)
    add("make_photo_dash", "make", ["make", "-", "-o", "out"], BAD_OR_OS, fast=True)
    add("make_photo_path_too_long", "make", ["make", "a/" * 2100 + "p.jpg", "-o", "out"], BAD_OR_OS, fast=True)
    make_opt("make_override_no_equals", ["--override", "hairbun"], BAD, fast=True)
    make_opt("make_override_unknown_key", ["--override", "tail=long"], BAD, fast=True)
    make_opt("make_override_bad_colour", ["--override", "hair_color=#zzzzzz"], BAD, fast=True)
    make_opt("make_override_negative_hex", ["--override", "hair_color=#-1-1-1"], BAD, fast=True)
    make_opt("make_override_injection", ["--override", 'hair_color=#"/><script>alert(1)</script>'], BAD, fast=True,
             no_injection=True)
    make_opt("make_override_unknown_part", ["--override", "hair=curley_99"], BAD, fast=True)
    make_opt("make_classifier_unknown", ["--classifier", "no-such-classifier"], BAD, fast=True)
    make_opt("make_classifier_weights_missing", ["--classifier", "resnext50-celeba", "--classifier-weights",
                                                 p["w_missing"]], {2, 4}, fast=True)
    make_opt("make_stylize_missing_file", ["--stylize", p["w_missing"]], {2, 4, 5, 6}, fast=True)
    make_opt("make_stylize_garbage_config", ["--stylize", p["stylize_garbage"]], {2, 5}, fast=True)
    make_opt("make_method_unknown", ["--method", "magic"], BAD, fast=True)
    add("make_out_is_a_file", "make", ["make", o, "-o", "afile"], BAD_OR_OS, allowed=(), fast=True,
        prep=(("file", "work/afile"),))
    add("make_out_file_as_folder", "make", ["make", o, "-o", "afile/sub"], OSERR, allowed=(), fast=True,
        prep=(("file", "work/afile"),))
    add("make_out_readonly_folder", "make", ["make", o, "-o", "ro/sub"], OSERR, allowed=(), fast=True,
        prep=(("ro", "work/ro"),), wrap="perm")
    add("make_out_disk_full", "make", ["make", o, "-o", "full"], OSERR, allowed=("full",),
        prep=(("full", "work/full"),), wrap="full")
    add("make_one_good_one_empty_photo", "make", ["make", o, p["empty_jpg"], "-o", "out"], BAD)
    add("make_no_photo", "make", ["make", "-o", "out"], BAD, fast=True)

    # -- analyze -----------------------------------------------------------------------------------------------------
    add("analyze_json_into_file_as_folder", "analyze", ["analyze", o, "--json", "afile/x.json"], OSERR, allowed=(),
        prep=(("file", "work/afile"),))
    add("analyze_draw_unknown_ext", "analyze", ["analyze", o, "--draw", "out/x.unknownext"], BAD,
        absent=("out/x.unknownext",))
    add("analyze_json_onto_a_folder", "analyze", ["analyze", o, "--json", "out/x.json"], BAD_OR_OS, fast=True,
        prep=(("dir", "work/out/x.json"),))
    add("analyze_max_faces_minus_1", "analyze", ["analyze", o, "--max-faces", "-1"], BAD, allowed=(), fast=True)
    add("analyze_max_faces_0", "analyze", ["analyze", o, "--max-faces", "0"], BAD, allowed=(), fast=True)
    add("analyze_json_and_draw_jpg_ok", "analyze", ["analyze", o, "--json", "out/x.json", "--draw", "out/x.jpg"], OK,
        outputs=(("out/x.json", "json"), ("out/x.jpg", "jpeg")))
    add("analyze_two_faces", "analyze", ["analyze", p["two_faces"]], OK, allowed=(), mentions=r"\b2 faces")

    # -- batch -------------------------------------------------------------------------------------------------------
    def batch(id, key, codes, ids=None, status=(), extra=(), **kw):
        add(id, "batch", ["batch", p[key], "-o", "out", *extra], codes, batch_ids=ids, batch_status=tuple(status),
            **kw)

    batch("batch_csv_missing", "csv_missing", BAD_OR_OS)
    batch("batch_csv_fifo", "csv_fifo", BAD_OR_OS)
    batch("batch_csv_directory", "csv_dir", BAD_OR_OS)
    batch("batch_csv_empty", "csv_empty", BAD)
    batch("batch_csv_no_header", "csv_no_header", BAD)
    batch("batch_csv_no_id_column", "csv_no_id", BAD)
    batch("batch_csv_no_photo_column", "csv_no_photo", BAD)
    batch("batch_csv_binary_garbage", "csv_garbage", BAD)
    batch("batch_csv_nul_bytes", "csv_nul", {2, 7})
    batch("batch_csv_invalid_utf8", "csv_bad_utf8", {2, 7})
    batch("batch_csv_10mb_cell", "csv_huge_cell", {2, 7})
    batch("batch_ragged_row", "csv_ragged", ROWS, ids=("r1", "r2"), status=(("r1", "error"), ("r2", "ok")))
    batch("batch_hostile_ids", "csv_bad_ids", ROWS, ids=("../x", "/etc", "", "dup", "dup"), status=(("", "error"),))
    batch("batch_formula_cells", "csv_formula", ROWS, ids=('=HYPERLINK("http://x")', "+1", "-1", "@SUM(1)"),
          status=(('=HYPERLINK("http://x")', "ok"), ("+1", "error"), ("-1", "ok"), ("@SUM(1)", "error")))
    batch("batch_bad_photo_paths", "csv_bad_photos", ROWS, ids=("missing", "fifo", "dir", "devzero", "empty"),
          status=tuple((i, "error") for i in ("missing", "fifo", "dir", "devzero", "empty")))
    batch("batch_bad_override_cells", "csv_bad_override", ROWS, ids=("neg", "inj", "part"),
          status=(("neg", "error"), ("inj", "error"), ("part", "error")), no_injection=True)
    batch("batch_ok", "csv_ok", OK, ids=("obama", "biden"), status=(("obama", "ok"), ("biden", "ok")),
          outputs=(("out/obama/*.png", "png"), ("out/biden/*.png", "png"), ("out/results.csv", "csv")))
    batch("batch_excel_bom_crlf", "csv_excel", OK, ids=("r1",), status=(("r1", "ok"),))
    batch("batch_semicolon_separated", "csv_semicolon", BAD)
    batch("batch_5000_rows_missing_photos", "csv_5000_rows", ROWS, ids=tuple(f"m{i}" for i in range(5000)))
    batch("batch_workers_0", "csv_ok", BAD, extra=("--workers", "0"), fast=True)
    add("batch_out_is_a_file", "batch", ["batch", p["csv_ok"], "-o", "afile"], BAD_OR_OS, allowed=(), fast=True,
        prep=(("file", "work/afile"),))
    add("batch_out_readonly_folder", "batch", ["batch", p["csv_ok"], "-o", "ro/sub"], OSERR, allowed=(), fast=True,
        prep=(("ro", "work/ro"),), wrap="perm")
    add("batch_out_disk_full", "batch", ["batch", p["csv_ok"], "-o", "full"], {6, 7}, allowed=("full",),
        prep=(("full", "work/full"),), wrap="full")

    # -- model files named by environment variables ------------------------------------------------------------------
    def weights(id, var, key, codes=MODEL):
        add(id, "weights", ["make", o, "-o", "out"], codes, env=((var, p[key]),))

    for var, short in (("MEMOJI_DLIB_LANDMARKS", "landmarks"), ("MEMOJI_DLIB_RESNET", "resnet")):
        weights(f"w_{short}_missing", var, "w_missing")
        weights(f"w_{short}_truncated", var, f"w_{short}_truncated")
        weights(f"w_{short}_random_bytes", var, f"w_{short}_random")
    weights("w_landmarks_empty", "MEMOJI_DLIB_LANDMARKS", "w_landmarks_empty")
    weights("w_landmarks_directory", "MEMOJI_DLIB_LANDMARKS", "w_dir")
    for id, key in (("w_judge_garbage", "w_judge_garbage"), ("w_judge_missing", "w_missing")):
        add(id, "weights", ["eval", p["evalset"], "-o", "out/eval", "--methods", "random", "--no-detect", "--quiet"],
            MODEL, env=(("MEMOJI_JUDGE_WEIGHTS", p[key]),))

    # -- the other commands: their output paths and inputs are checked before any work ------------------------------
    afile = (("file", "work/afile"),)
    add("parts_list_unknown_category", "other", ["parts", "list", "tails"], BAD, allowed=())
    add("parts_gallery_into_file_as_folder", "other", ["parts", "gallery", "-o", "afile/g.png"], OSERR, allowed=(),
        prep=afile, fast=True)
    add("parts_gallery_unknown_ext", "other", ["parts", "gallery", "-o", "out/g.unknownext"], BAD, fast=True,
        absent=("out/g.unknownext",))
    add("index_build_into_file_as_folder", "other", ["index", "build", "--out", "afile/idx"], OSERR, allowed=(),
        prep=afile, fast=True)
    add("index_info_on_a_file", "other", ["index", "info", "afile"], BAD_OR_OS, allowed=(), prep=afile)
    add("eval_missing_folder", "other", ["eval", p["missing_jpg"] + "_dir", "-o", "out/eval"], BAD_OR_OS, fast=True)
    add("eval_out_file_as_folder", "other", ["eval", p["evalset"], "-o", "afile/ev", "--methods", "random"], OSERR,
        allowed=(), prep=afile, fast=True)
    add("eval_unknown_method", "other", ["eval", p["evalset"], "-o", "out/eval", "--methods", "magic"], BAD,
        fast=True)
    # (stylize and train import diffusers / timm, several CPU seconds, before they look at a path: not held to fast)
    add("stylize_recipe_fifo", "other", ["stylize", p["rec_fifo"], "-o", "out/s.png"], {2, 4, 5, 6})
    add("stylize_no_config", "other", ["stylize", o, "-o", "out/s.png"], {2, 4, 5})
    add("stylize_garbage_config", "other", ["stylize", o, "-c", p["stylize_garbage"], "-o", "out/s.png"], {2, 5})
    add("stylize_unknown_ext", "other", ["stylize", o, "-o", "out/s.unknownext"], {2, 4, 5},
        absent=("out/s.unknownext",))
    add("train_classifier_missing_root", "other", ["train-classifier", "--celeba-root", p["missing_jpg"] + "_dir",
                                                   "--out", "out/run"], BAD_OR_OS)
    add("batch_stylize_missing_file", "batch", ["batch", p["csv_ok"], "-o", "out", "--stylize", p["w_missing"]],
        {2, 4, 6}, fast=True)
    make_opt("make_name_300_chars", ["--name", "x" * 300], {0, 2, 6})
    add("render_name_300_chars", "render", ["render", r, "-o", "out/" + "x" * 300 + ".png"], BAD_OR_OS)
    add("render_into_new_nested_folder", "render", ["render", r, "-o", "out/new/deeper/a.png"], {0, 6},
        outputs=(("out/new/deeper/a.png", "png"),))

    # -- the command line itself -------------------------------------------------------------------------------------
    add("cli_unknown_command", "cli", ["frobnicate"], BAD, allowed=())
    add("cli_render_no_args", "cli", ["render"], BAD, allowed=())
    add("cli_make_unknown_option", "cli", ["make", o, "--colour", "red"], BAD, allowed=())
    return cases


class _Names(dict):
    """Placeholder paths: lets :func:`case_list` run without any file (for test ids at collection time)."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def case_ids() -> list[str]:
    return [c.id for c in case_list(_Names())]


def build_corpus(outdir: str | os.PathLike) -> list[Case]:
    """Write every input under ``outdir`` and return the cases (argv with absolute input paths)."""
    paths = _make_files(Path(outdir).resolve())
    cases = case_list(paths)
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def _main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/reliability/corpus.py OUTDIR", file=sys.stderr)
        return 2
    cases = build_corpus(argv[0])
    for c in cases:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in c.env)
        cmd = shlex.join(["memoji", *c.argv])
        line = f"{c.id}\texit {sorted(c.codes)}\t{(env + ' ') if env else ''}{cmd}"
        print(line.encode("utf-8", "backslashreplace").decode("utf-8"))
    print(f"{len(cases)} cases; inputs in {Path(argv[0]).resolve()} (run each in a fresh folder: "
          "{W} = that folder, {R} = its parent)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
