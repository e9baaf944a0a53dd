"""`memoji batch -o URI`: outputs through pyarrow's filesystem layer, the same bytes and rows as a local folder.

``file://`` URIs on tmp_path stand in for an object store; pyarrow's in-process filesystems (a SubTree over a local
folder, the mock store) test the sink itself. Nothing leaves tmp_path and nothing touches the network."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assembler.batch import PROGRESS, run_batch
from assembler.outputs import OutputPathError
from assembler.sink import FsSink, LocalSink, OutputURIError, open_sink, shown_uri

pafs = pytest.importorskip("pyarrow.fs", reason="the distributed extra is not installed")


def _rows(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("id,photo\n" + "".join(f"{i},{p}\n" for i, p in rows))
    return path


def _results(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_file_uri_batch_writes_the_same_bytes_and_rows_as_a_folder(tmp_path, data_dir):
    src = _rows(tmp_path / "in.csv", [("../a", str(data_dir / "obama.jpg")), ("gone", "missing.jpg")])
    folder = run_batch(src, tmp_path / "local", progress=False)
    uri = (tmp_path / "remote").as_uri()
    remote = run_batch(src, uri, progress=False, results_format="parquet")
    assert (folder["ok"], folder["error"]) == (remote["ok"], remote["error"]) == (1, 1)
    assert remote["results"] == f"{uri}/results.parquet"
    local_rows = _results((tmp_path / "local" / "results.csv").read_text())
    uri_rows = _results((tmp_path / "remote" / "results.csv").read_text())
    assert uri_rows[0]["png"] == f"{uri}/a/avatar.png"  # the '../' of the id is gone: nothing leaves the prefix

    def strip(rows, prefix):
        return [{k: v.replace(prefix, "OUT") for k, v in r.items() if k != "seconds"} for r in rows]

    assert strip(uri_rows, uri) == strip(local_rows, str((tmp_path / "local").resolve()))
    for f in ("avatar.png", "avatar.svg", "avatar.recipe.json"):
        assert (tmp_path / "remote" / "a" / f).read_bytes() == (tmp_path / "local" / "a" / f).read_bytes()
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "remote" / "results.parquet").to_pylist()
    assert [(r["id"], r["status"]) for r in table] == [("../a", "ok"), ("gone", "error")]
    left = sorted(p.name for p in (tmp_path / "remote").rglob("*") if p.is_file())
    assert left == sorted([PROGRESS, "results.csv", "results.parquet", "avatar.png", "avatar.svg",
                           "avatar.recipe.json"])  # no temporary files, no probe, no lock
    assert not (tmp_path / "a").exists()


def test_resume_through_a_uri_makes_each_row_exactly_once(tmp_path, data_dir, monkeypatch):
    import assembler.batch as batch

    made: list[str] = []
    real = batch._process

    def counting(job):
        made.append(job["id"])
        return real(job)

    monkeypatch.setattr(batch, "_process", counting)
    src = _rows(tmp_path / "in.csv", [("a", "obama.jpg"), ("b", "later.jpg")])
    shutil.copy(data_dir / "obama.jpg", tmp_path / "obama.jpg")
    uri = (tmp_path / "out").as_uri()
    first = run_batch(src, uri, progress=False)
    assert (first["ok"], first["error"]) == (1, 1) and made == ["a", "b"]
    shutil.copy(data_dir / "biden.jpg", tmp_path / "later.jpg")  # the missing photo turns up
    made.clear()
    again = run_batch(src, uri, resume=True, progress=False)
    assert made == ["b"], "only the failed row is made again"
    assert (again["ok"], again["error"], again["skipped"]) == (2, 0, 1)
    assert again["line"] == f"2 ok, 0 failed, 1 kept from before (2 rows); results: {uri}/results.csv"
    lines = [json.loads(x) for x in (tmp_path / "out" / PROGRESS).read_text().splitlines() if x.strip()]
    assert sorted(r["key"] for r in lines) == ["a", "b"] and all(r["status"] == "ok" for r in lines)
    rows = _results((tmp_path / "out" / "results.csv").read_text())
    assert [(r["id"], r["status"]) for r in rows] == [("a", "ok"), ("b", "ok")]
    made.clear()
    assert run_batch(src, uri, resume=True, progress=False)["skipped"] == 2 and made == []


def test_the_ray_engine_writes_through_the_uri(tmp_path, data_dir):
    pytest.importorskip("ray", reason="the distributed extra is not installed")
    src = _rows(tmp_path / "in.csv", [("a", str(data_dir / "obama.jpg"))])
    uri = (tmp_path / "out").as_uri()
    summary = run_batch(src, uri, engine="ray", workers=1, progress=False)
    assert (summary["ok"], summary["error"]) == (1, 0)
    rows = _results((tmp_path / "out" / "results.csv").read_text())
    assert rows[0]["png"] == f"{uri}/a/avatar.png" and rows[0]["recipe"] == f"{uri}/a/avatar.recipe.json"
    assert (tmp_path / "out" / "a" / "avatar.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "out" / "a" / "avatar.recipe.json").read_text())["parts"]


def _memoji(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    memoji = Path(sys.executable).parent / "memoji"
    return subprocess.run([str(memoji), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_an_unknown_scheme_is_one_line_before_any_photo(tmp_path, data_dir):
    src = _rows(tmp_path / "in.csv", [("a", str(data_dir / "obama.jpg"))])
    proc = _memoji("batch", str(src), "-o", "nosuch://bucket/x", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == ("Error: cannot write to nosuch://bucket/x: unknown URI scheme 'nosuch' (pyarrow writes "
                           "file://, s3://, gs://, abfs://, hdfs://; or give a local folder)\n")
    assert "Traceback" not in proc.stderr and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_uri_errors_are_one_line_and_keep_secrets_out(tmp_path, monkeypatch):
    with pytest.raises(OutputURIError, match=r"^cannot write to file://relative/x: ") as err:
        open_sink("file://relative/x")
    assert err.value.exit_code == 2
    assert shown_uri("s3://AKIA:s3cr3t@bucket/avatars/?region=eu-west-1") == "s3://bucket/avatars"
    assert shown_uri("abfs://container@account.dfs.core.windows.net/out") == \
        "abfs://container@account.dfs.core.windows.net/out"
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputURIError, match="is a file, not a folder") as err:
        open_sink((tmp_path / "file").as_uri()).check()
    assert err.value.exit_code == 6
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as without the distributed extra
    monkeypatch.setitem(sys.modules, "pyarrow.fs", None)
    with pytest.raises(Exception, match=r"^writing to s3://bucket/x needs pyarrow: pip install -e "
                                        r"'\.\[distributed\]' in the memoji-assembler checkout$") as err:
        open_sink("s3://bucket/x")
    assert err.value.exit_code == 5


@pytest.mark.parametrize("kind", ["folder", "file-uri", "subtree", "mock"])
def test_sinks_write_whole_files_and_refuse_names_that_escape(tmp_path, kind):
    if kind == "folder":
        sink = open_sink(tmp_path / "out")
    elif kind == "file-uri":
        sink = open_sink((tmp_path / "out").as_uri())
    elif kind == "subtree":  # an in-process filesystem rooted at tmp_path: nothing it writes can be elsewhere
        sink = FsSink(pafs.SubTreeFileSystem(str(tmp_path), pafs.LocalFileSystem()), "out", "subtree://out")
    else:
        sink = FsSink(pafs._MockFileSystem(), "bucket/out", "mock://bucket/out")
    assert isinstance(sink, LocalSink) == (kind == "folder")
    sink.check()
    assert sink.read("a/x.bin") is None
    assert sink.write("a/x.bin", b"one").endswith("/a/x.bin")
    sink.write("a/x.bin", b"two")  # replaced whole
    assert sink.read("a/x.bin") == b"two"
    for bad in ("../x", "a/../../x", "/etc/x", "a//x", "..", "a\\..\\x", "./x"):
        with pytest.raises(OutputPathError, match="would be written outside the output folder"):
            sink.write(bad, b"")
    if kind != "mock":
        names = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
        assert names == ["out", "out/a", "out/a/x.bin"]  # no temporary file, no write probe


def test_a_plain_path_never_imports_pyarrow(tmp_path):
    code = ("import sys; from assembler.sink import open_sink; s = open_sink(sys.argv[1]); s.check(); "
            "s.write('a/b.txt', b'x'); assert 'pyarrow' not in sys.modules, 'pyarrow imported'")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "out" / "a" / "b.txt").read_bytes() == b"x"
