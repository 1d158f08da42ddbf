"""Errors the language stage raises on bad input, under the project-wide `TalktrackError`."""

from transcription.errors import TalktrackError


class TrackerConfigError(TalktrackError):
    """A tracker definition file (YAML) is malformed."""
