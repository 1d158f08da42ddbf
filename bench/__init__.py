"""Benchmarks and evaluations. Run each from the repository root as a module, e.g.
`.venv/bin/python -m bench.diarization_eval` (bench modules import each other as `bench.*` and the
project's packages as installed; nothing patches `sys.path`)."""
