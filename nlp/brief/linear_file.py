"""Per-kind linear models in a plain `.npz` file: one `<kind>.w` weight vector and one `<kind>.b`
bias per kind, no pickle. The embedding models (`nlp.brief.learned`) and the words models
(`nlp.brief.ngrams`) both ship this way; `bench/brief_fit.py` writes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

Linear = tuple[npt.NDArray[np.float32], float]  # (weights, bias)


def read_linear(path: Path) -> dict[str, Linear]:
    """The per-kind models of a weight file (weights as float32); none when the file is absent."""
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        kinds = sorted({name.split(".")[0] for name in data.files})
        return {k: (data[f"{k}.w"].astype(np.float32), float(data[f"{k}.b"])) for k in kinds}


def write_linear(models: dict[str, Linear], path: Path, dtype: type[np.floating] = np.float32) -> None:
    """Write the models, their weights stored as `dtype` (float16 halves a large file), compressed."""
    arrays: dict[str, npt.NDArray[np.floating]] = {}
    for kind, (w, b) in models.items():
        arrays[f"{kind}.w"] = np.asarray(w, dtype=dtype)
        arrays[f"{kind}.b"] = np.asarray(b, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


__all__ = ["Linear", "read_linear", "write_linear"]
