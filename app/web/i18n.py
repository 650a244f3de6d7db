"""Domain errors in the reader's language.

Services raise errors whose message is an English template marked with ``N_`` and filled from the
error's details (``app.services.errors``); here, in the web layer, the template is looked up in the
reader's catalogue and filled again. A message the catalogue does not know is shown in English.
"""
from __future__ import annotations

import re

from flask_babel import gettext

from app.services.errors import DomainError, FieldMessage, fill


def translate(text: str) -> str:
    """One of our own words (a state, an action) or message in the reader's language (a
    ``FieldMessage`` is looked up by its template and filled again)."""
    if isinstance(text, FieldMessage):
        return fill(gettext(text.template), {k: gettext(v) if k in text.translatable and isinstance(v, str) else v
                                             for k, v in text.details.items()})
    return gettext(text) if text else text


def error_text(exc: DomainError) -> str:
    params = {key: translate(value) if key in exc.translatable and isinstance(value, str) else value
              for key, value in exc.details.items()}
    return fill(translate(exc.template), params)


def field_errors(exc: DomainError) -> dict[str, list[str]]:
    """``{field: [message, ...]}`` for an answer that names the field(s) at fault (may be empty)."""
    field = getattr(exc, "field", None)
    if field:
        return {field: [error_text(exc)]}
    errors = getattr(exc, "errors", None)
    if isinstance(errors, dict):
        return {name: [translate(m) for m in messages] for name, messages in errors.items()}
    return {}


_NOTES: list | None = None


def _note_patterns() -> list:
    """The attention notes services write from ``N_`` templates, as patterns to read them back."""
    global _NOTES
    if _NOTES is None:
        from app.services import attention_notes, invoice_issuing, marketplace_status as ms
        templates = [invoice_issuing.NUMBER_CLASH, *ms.ATTENTION.values(), ms.CANCELLED_LATE,
                     ms.CANCELLED_HERE, ms.CANNOT_FOLLOW, *attention_notes.TEMPLATES]
        _NOTES = [(t, _pattern(t)) for t in templates]
    return _NOTES


def _pattern(template: str):
    """``template`` as a regular expression: each ``%(name)s`` a group (the same group again where
    the name comes back)."""
    seen: set[str] = set()

    def group(match) -> str:
        name = match.group(1)
        if name in seen:
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>.+?)"
    return re.compile(re.sub(r"%\\\(([a-z_]+)\\\)s", group, re.escape(template)), re.S)


def note_text(note: str | None) -> str:
    """An order's attention note (its parts joined by " | ") in the reader's language: each part
    written from a known template is filled again from its translation; any other stays as is."""
    from app.services.marketplace_status import SEPARATOR
    if not note:
        return ""
    return SEPARATOR.join(_note_part(part) for part in note.split(SEPARATOR))


def _note_part(part: str) -> str:
    from app.services.attention_notes import MESSAGES
    for template, pattern in _note_patterns():
        match = pattern.fullmatch(part)
        if match:
            values = {k: _note_part(v) if k in MESSAGES else v for k, v in match.groupdict().items()}
            return fill(gettext(template), values)
    return gettext(part) if part else part  # a message of its own (an address problem)


def say(template: str | None, values: dict | None = None, fallback: str = "") -> str:
    """A stored message (an ``N_`` template and its values, as jobs keep them) in the reader's
    language; messages inside the values are said too, and the values the message names as ours
    (``_translate``: an action, a state) translated. Without a template, ``fallback`` as written."""
    if not template:
        return fallback or ""
    values = dict(values or {})
    ours = set(values.pop("_translate", None) or ())
    said = {}
    for key, value in values.items():
        if isinstance(value, dict) and "template" in value:
            value = say(value["template"], value.get("params"))
        elif key in ours and isinstance(value, str):
            value = translate(value)
        said[key] = value
    return fill(gettext(template), said)


def phrase_text(value) -> str:
    """A ``Phrase`` (a job's title or error) in the reader's language; other values as text."""
    if value is None:
        return ""
    if hasattr(value, "template"):
        return say(value.template, value.params, value.text)
    return str(value)


def message_text(message: dict) -> str:
    """One line of a job's messages in the reader's language."""
    return say(message.get("template"), message.get("params"), message.get("text", ""))
