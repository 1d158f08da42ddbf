"""The spoken languages a call can be transcribed in, and how a user names them.

Light on purpose (no faster-whisper import): the command line checks `--language` with
`parse_language` before anything heavy loads.
"""

from __future__ import annotations

AUTO = "auto"
ENGLISH = "en"

# Whisper's 99 language codes (the multilingual base model knows these; Cantonese "yue" came only
# with large-v3 and is not among them).
WHISPER_LANGUAGES: tuple[str, ...] = (
    "af", "am", "ar", "as", "az", "ba", "be", "bg", "bn", "bo", "br", "bs", "ca", "cs", "cy", "da", "de",
    "el", "en", "es", "et", "eu", "fa", "fi", "fo", "fr", "gl", "gu", "ha", "haw", "he", "hi", "hr", "ht",
    "hu", "hy", "id", "is", "it", "ja", "jw", "ka", "kk", "km", "kn", "ko", "la", "lb", "ln", "lo", "lt",
    "lv", "mg", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "ne", "nl", "nn", "no", "oc", "pa", "pl",
    "ps", "pt", "ro", "ru", "sa", "sd", "si", "sk", "sl", "sn", "so", "sq", "sr", "su", "sv", "sw", "ta",
    "te", "tg", "th", "tk", "tl", "tr", "tt", "uk", "ur", "uz", "vi", "yi", "yo", "zh",
)

# Names for the codes messages use most; others are shown as the code.
LANGUAGE_NAMES = {
    "en": "English", "zh": "Chinese", "de": "German", "es": "Spanish", "fr": "French", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "ja": "Japanese", "ko": "Korean",
    "hi": "Hindi", "ar": "Arabic", "tr": "Turkish", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "vi": "Vietnamese", "id": "Indonesian", "th": "Thai", "uk": "Ukrainian",
}
_ALIASES = {"chinese": "zh", "mandarin": "zh", "english": "en", "cmn": "zh", "zho": "zh", "eng": "en"}


def language_name(code: str) -> str:
    """"Chinese" for "zh"; the code itself for a language without a name here."""
    return LANGUAGE_NAMES.get(code, code)


def parse_language(text: str) -> str:
    """A user's language choice as the code Whisper takes, or `AUTO`: "auto", a Whisper code ("zh"),
    a tag with a region or script ("zh-CN", "zh-Hans", "en_US": the language part) or an English
    name ("Chinese", "Mandarin"). ValueError, naming what is accepted, for anything else."""
    value = text.strip().lower()
    if value == AUTO:
        return AUTO
    value = _ALIASES.get(value, value)
    primary = value.replace("_", "-").split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    if primary in WHISPER_LANGUAGES:
        return primary
    raise ValueError(
        f"unknown language {text!r}: use auto (detect it), en, zh or another two-letter language code "
        "the speech model knows (de, es, fr, ja, ...)"
    )


def primary_language(language: str | None) -> str | None:
    """The primary code of a language as a transcript or a playbook writes it, without checking it:
    "zh" for "zh-CN", "zh_Hans" or "ZH"; None for none. (`parse_language` is the strict reading of a
    user's choice.)"""
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-", 1)[0] or None


def is_chinese(code: str) -> bool:
    return code == "zh"
