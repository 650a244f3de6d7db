"""The words the assistant knows without the catalogue: teencode, stop words, number words.

Kept as data (``data/lexicon.json``) beside the code so that a seller's staff, or a later editor
backed by the database, can extend it without a code change; ``load_lexicon`` reads another file.
"""
from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).with_name("data")


def load_lexicon(path: str | Path | None = None) -> dict:
    with open(path or DATA / "lexicon.json", encoding="utf-8") as f:
        return json.load(f)


LEXICON = load_lexicon()
