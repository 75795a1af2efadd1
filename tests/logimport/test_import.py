"""``collector import-logs`` end to end: real SQLite files, the real pipeline, a log of a
back-dated day with its ground truth; compressed inputs, re-imports, overlaps, bad input,
and every byte written checked for the log's full addresses."""

from __future__ import annotations

import bz2
import gzip
import sqlite3
from pathlib import Path

import pytest

from collector.cli.parser import main
from tests.logimport import sample
from tests.logimport.sample import ADDRESSES, PAGEVIEWS, READ, SKIPPED, VISITORS, VISITS


def _summary(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.strip().partition(": ")
        number = value.split(" ")[0].replace(",", "")
        if number.isdigit():
            out[name] = int(number)
    return out


def _write(path: Path, text: str) -> Path:
    data = text.encode("utf-8", "surrogateescape")
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".bz2":
        data = bz2.compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["access.log", "access.log.gz", "access.log.bz2"])
def test_a_back_dated_day_is_counted_exactly(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sample.setup_env(monkeypatch, tmp_path)
    day = sample.target_day()
    log = _write(tmp_path / name, sample.combined_log(day))
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    out = capsys.readouterr().out
    counts = _summary(out)
    assert f"format: {log} (combined)" in out
    assert counts["lines read"] == READ and counts["imported"] == PAGEVIEWS
    assert {k: v for k, v in counts.items() if k in SKIPPED} == SKIPPED
    assert f"unparseable: 2 (at {log}:16, {log}:17)" in out
    assert f"days touched: 1 ({day.isoformat()})" in out
    assert sample.daily(db, day.isoformat()) == (PAGEVIEWS, VISITORS, VISITS)

    conn = sqlite3.connect(db)
    paths = sorted(r[0] for r in conn.execute("SELECT path FROM events WHERE kind = 'pageview'"))
    refs = sorted(
        r[0] for r in conn.execute("SELECT referrer_host FROM events WHERE referrer_host IS NOT NULL")
    )
    conn.close()
    assert paths == ["/", "/about", "/blog/", "/docs/", "/pricing?utm_campaign=winter", "/status-page"]
    assert refs == ["duck.com", "google.com"]


def test_a_second_import_and_an_overlapping_rotated_file_count_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sample.setup_env(monkeypatch, tmp_path)
    day = sample.target_day()
    text = sample.combined_log(day)
    log = _write(tmp_path / "access.log", text)
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    again = _summary(capsys.readouterr().out)
    assert (
        again["imported"] == 0 and again["already_imported"] == PAGEVIEWS + 2
    )  # the excluded and bot lines too
    # the rotated file: the last lines of the first, then two new page views (one a
    # repeat of a line: an identical request, counted again)
    lines = text.splitlines()
    repeat = lines[13]
    rotated = _write(tmp_path / "access.log.1.gz", "\n".join([*lines[12:], repeat, repeat]) + "\n")
    assert main(["import-logs", "--site", "1", str(rotated)]) == 0
    third = _summary(capsys.readouterr().out)
    assert third["imported"] == 2 and third["already_imported"] == 3
    assert sample.daily(db, day.isoformat())[0] == PAGEVIEWS + 2
    # both files in one run, in either order: still nothing twice
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(rotated), str(log)]) == 0
    assert _summary(capsys.readouterr().out)["imported"] == 0


def test_no_full_address_is_written_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.setup_env(monkeypatch, tmp_path)
    log = _write(tmp_path / "access.log", sample.combined_log(sample.target_day()))
    assert main(["import-logs", "--site", "1", "--downloads", "--enable-http-errors", str(log)]) == 0
    printed = "".join(capsys.readouterr())
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p != log)
    for address in ADDRESSES:
        assert address.encode() not in written, address
        assert address not in printed, address
    assert b"session=abc" not in written and b"Firefox/132.0" not in written


def test_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sample.setup_env(monkeypatch, tmp_path)
    day = sample.target_day()
    log = _write(tmp_path / "in.log", sample.combined_log(day))
    with log.open("r") as handle:
        monkeypatch.setattr("sys.stdin", handle)
        assert main(["import-logs", "--site", "1", "-"]) == 0
    assert _summary(capsys.readouterr().out)["imported"] == PAGEVIEWS
    assert sample.daily(db, day.isoformat())[0] == PAGEVIEWS


def test_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.setup_env(monkeypatch, tmp_path)
    day = sample.target_day()
    good = sample.combined_log(day)
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(tmp_path / "missing.log")]) == 1
    assert "missing.log: No such file or directory" in capsys.readouterr().err
    binary = tmp_path / "binary.log"
    binary.write_bytes(bytes(range(256)) * 400)
    assert main(["import-logs", "--site", "1", str(binary)]) == 1
    err = capsys.readouterr().err
    assert "cannot tell the log format" in err and err.count("\n") == 1
    # a truncated gzip: the lines before the break are imported, the break reported
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(gzip.compress((good * 50).encode())[:-40])
    assert main(["import-logs", "--site", "1", str(cut)]) == 1
    captured = capsys.readouterr()
    assert "compressed data ended early" in captured.err
    assert 0 < _summary(captured.out)["imported"] < 50 * PAGEVIEWS  # identical lines count each
    # a 1 MB line and invalid UTF-8: counted, never kept
    odd = _write(tmp_path / "odd.log", good.splitlines()[0] + "\n" + "x" * 1_000_000 + "\n\udcff\udcfe\n")
    assert main(["import-logs", "--site", "1", str(odd)]) == 0
    counts = _summary(capsys.readouterr().out)
    assert counts["unparseable"] == 2 and counts["lines read"] == 3
    with pytest.raises(SystemExit) as exited:
        main(["import-logs", "--site", "1", "--format", "apache-xml", str(odd)])
    assert exited.value.code == 2
    assert main(["import-logs", "--site", "9", str(odd)]) == 2
    assert "no site with id 9" in capsys.readouterr().err


def test_options_count_what_they_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.setup_env(monkeypatch, tmp_path)
    log = _write(tmp_path / "access.log", sample.combined_log(sample.target_day()))
    flags = ["--downloads", "--enable-http-errors", "--enable-http-redirects"]
    assert main(["import-logs", "--site", "1", *flags, "--no-rollup", str(log)]) == 0
    counts = _summary(capsys.readouterr().out)
    assert counts["imported"] == PAGEVIEWS + 3 and "status" not in counts and "download" not in counts


def test_a_log_of_many_batches_imports_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench.logimport import generate

    db = sample.setup_env(monkeypatch, tmp_path)
    log = tmp_path / "big.log.gz"
    generate(tmp_path / "big.log", 12_000, 2)
    log.write_bytes(gzip.compress((tmp_path / "big.log").read_bytes()))
    capsys.readouterr()
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    first = _summary(capsys.readouterr().out)
    assert first["lines read"] == 12_000 and first["imported"] > 4_000
    conn = sqlite3.connect(db)
    (stored,) = conn.execute("SELECT count(*) FROM events").fetchone()
    conn.close()
    assert stored == first["imported"]
    assert main(["import-logs", "--site", "1", str(log)]) == 0
    again = _summary(capsys.readouterr().out)
    assert again["imported"] == 0 and again["already_imported"] == first["imported"] + first["bot"]
