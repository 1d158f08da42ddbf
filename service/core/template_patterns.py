"""Reading back text the libraries wrote from a `str.format` template (an analysis's warnings, a
roles note's `why`): the template compiled to a pattern with a named group per field, so that the
template stays the one source of the wording (`service.web.analysis_warnings` translates such text;
`service.domain.calls.speechless_reason` adds up the seconds of the unheard-speech warnings)."""

from __future__ import annotations

import re
import string


def template_pattern(template: str, *, whole: bool = True) -> re.Pattern[str]:
    """What `template.format(...)` writes, as a pattern with a named group per field: a number where
    the field has a number's format (`{seconds:.0f}`; a percentage's, `{share:.0%}`, without its
    sign), any text otherwise (as little as the rest of the template lets it); a field named twice
    must read the same both times. `whole`: the text is all the template writes, else it only
    begins with it."""
    parts, seen = ["^"], set()
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if not name:
            continue
        if name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            number = bool(spec and spec[-1] in "dfgen%")
            parts.append(rf"(?P<{name}>-?\d+(?:\.\d+)?)" if number else rf"(?P<{name}>.+?)")
        if spec and spec[-1] == "%":
            parts.append("%")  # the percentage's sign, after its number
    return re.compile("".join(parts) + (r"\Z" if whole else ""), re.S)


def template_opening(template: str, stop: str) -> str:
    """`template` up to the first `stop` in its own words (not inside a field), as a template: the
    opening that older wordings of the same text share where only what follows `stop` changed."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        head, found, _rest = literal.partition(stop)
        out.append(head.replace("{", "{{").replace("}", "}}"))
        if found:
            break
        if name is not None:
            out.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return "".join(out)
