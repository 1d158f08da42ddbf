"""Errors the pipeline raises on bad input. One base class, so callers map them in one place
(the CLI to an exit message, the HTTP API to a status code).
"""


class TalktrackError(Exception):
    """Base of every error caused by the input or the installation, not by a bug."""


class InputNotFoundError(TalktrackError):
    """The named file does not exist or is not a regular file."""


class EmptyInputError(TalktrackError):
    """The file has no bytes, or no audio frames."""


class UnsupportedFormatError(TalktrackError):
    """The file is not a recording or transcript format Talktrack reads."""


class AudioDecodeError(TalktrackError):
    """The file looks like audio but cannot be decoded (truncated, corrupt)."""


class TranscriptParseError(TalktrackError):
    """A VTT or JSON transcript is malformed."""


class ModelNotFoundError(TalktrackError):
    """A speech, speaker or language model is not installed where it is looked for."""


class ModelChecksumError(ModelNotFoundError):
    """A model's installed files are there but damaged: their checksum is not the published one."""


class ComputeTypeError(TalktrackError):
    """The arithmetic asked for (`TALKTRACK_ASR_COMPUTE_TYPE`) is one this machine's CPU cannot run."""
