#!/usr/bin/env python3
"""Which messages still lack a translation in OrderHub's catalogues.

Sources of msgids:
  * extraction with pybabel's rules in ``babel.cfg`` (app/**.py, jobs/**.py, templates/**.html;
    keywords: _, gettext, ngettext, lazy_gettext, _l, ...);
  * Flask-AppBuilder: its shipped catalogues and its own gettext calls (FAB ships no Vietnamese
    catalogue, so ours carries its strings).

A msgid is missing from ``vi`` when it has no non-fuzzy, non-empty msgstr there (or its
%(name)s placeholders differ from the msgid's), and missing from ``en`` when it is not in the
file at all (English is the source language: an empty msgstr means "as written").

Usage (from the repository root)::

    .venv/bin/python bin/check_translations.py          # list what is missing; exit 1 if anything is
    .venv/bin/python bin/check_translations.py --add    # append the missing msgids, msgstr empty,
                                                        # to app/translations/{vi,en}/.../messages.po
    make translations                                   # compile the .po files to .mo

After ``--add`` fill in the Vietnamese msgstr of each new entry (``grep -n -B1 'msgstr ""$'``).
Do not run ``pybabel update`` on our catalogues: it would mark Flask-AppBuilder's strings obsolete.
A template for other tools: ``pybabel extract -F babel.cfg -k lazy_gettext -k _l -o messages.pot .``
"""
from __future__ import annotations

import argparse
import io
import os
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ("vi", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "N_": None}
SOURCE_DIRS = ("app", "jobs", "templates")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def catalogue_path(lang: str, suffix: str = "po") -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"messages.{suffix}"


def load_catalogue(lang: str) -> Catalog:
    with open(catalogue_path(lang), "rb") as f:
        return read_po(f, locale=lang)


def extracted_msgids(root: Path = ROOT) -> dict[str, list[str]]:
    """msgid → ["path:line", ...] for every string the current tree passes to gettext."""
    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")

    def only_sources(dirpath: str) -> bool:
        rel = os.path.relpath(dirpath, root)
        top = rel.split(os.sep)[0]
        name = os.path.basename(dirpath)
        return (rel == "." or top in SOURCE_DIRS) and not name.startswith((".", "_"))

    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS, directory_filter=only_sources):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def fab_msgids() -> list[str]:
    """Every msgid of the catalogues Flask-AppBuilder ships (their union, in first-seen order), plus
    the strings its code and templates pass to gettext that none of those catalogues has yet."""
    import flask_appbuilder
    package = Path(flask_appbuilder.__file__).parent
    base = package / "translations"
    seen: dict[str, None] = {}
    for po in sorted(base.glob("*/LC_MESSAGES/messages.po")):
        text = po.read_text(encoding="utf-8")
        # Some FAB headers carry dates Babel cannot parse ("2025-01-21"): they are irrelevant here.
        text = re.sub(r'^"(POT-Creation-Date|PO-Revision-Date):.*\n', "", text, flags=re.M)
        for message in read_po(io.StringIO(text)):
            msgid = message.id
            # el's catalogue has one msgid in Greek (a translation put in the msgid): not FAB's.
            if msgid and isinstance(msgid, str) and not re.search("[\u0370-\u03ff]", msgid):
                seen.setdefault(msgid, None)
    fab_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    fab_options = {"templates/**.html": {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols"}}
    for _f, _l, message, _c, _x in extract_from_dir(str(package), fab_map, fab_options,
                                                    keywords=KEYWORDS):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                seen.setdefault(msgid, None)
    return list(seen)


def is_translated(message) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if not all(strings):
        return False
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    wanted = set(PLACEHOLDER.findall(ids[0]))
    return all(set(PLACEHOLDER.findall(s)) == wanted for s in strings)


def missing(lang: str, wanted: list[str]) -> list[str]:
    catalogue = load_catalogue(lang)
    if lang == "en":
        return [m for m in wanted if catalogue.get(m) is None]
    return [m for m in wanted if not is_translated(catalogue.get(m))]


def _lazy_msgids(value) -> list[str]:
    """The msgid(s) behind a label: a plain string, lazy_gettext("x"), or a composed title."""
    from flask_babel.speaklater import LazyString
    if isinstance(value, LazyString):
        return [a for a in value._args if isinstance(a, str)]
    return [value] if isinstance(value, str) and value else []


def ui_msgids() -> dict[str, list[str]]:
    """msgid → ["ui:<where>"] for what the running panel shows that no source line spells out:
    column labels and page titles Flask-AppBuilder derives from names, menu entries, action
    buttons and their questions, and every state, kind and method of the models' enums."""
    import enum
    import tempfile
    os.environ.setdefault("CREDENTIALS_KEY", "x2yqv6ZSc0JUBt3ba3AKs3uTQ0OaZVYG0TAvMnXSwm0=")
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="orderhub-catalogue-")
    os.environ["ORDERHUB_INSTANCE"] = folder
    from app import create_app
    from app.views.base import OrderHubModelView
    from config import TestConfig
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/ui.db",
                     SANDBOX_ENABLED=False, REDIS_URL=None)
    found: dict[str, list[str]] = {}

    def add(value, where):
        for msgid in _lazy_msgids(value):
            found.setdefault(msgid, []).append(f"ui:{where}")

    with app.app_context():
        for view in app.appbuilder.baseviews:
            if not isinstance(view, OrderHubModelView):
                continue
            name = type(view).__name__
            for col, label in view.label_columns.items():
                add(label, f"{name}.{col}")
            for attr in ("list_title", "show_title", "add_title", "edit_title"):
                add(getattr(view, attr), f"{name}.{attr}")
            for attr in ("show_fieldsets", "add_fieldsets", "edit_fieldsets"):
                for title, _spec in getattr(view, attr, None) or []:
                    add(title, f"{name}.{attr}")
            for action in (view.actions or {}).values():
                add(action.text, f"{name}:{action.name}")
                add(action.confirmation, f"{name}:{action.name}?")
        for item in app.appbuilder.menu.get_list():
            add(item.label, "menu")
            for child in item.childs or []:
                add(child.label, "menu")
        import app.models as models
        for obj in vars(models).values():
            if isinstance(obj, type) and issubclass(obj, enum.Enum) and obj.__module__.startswith("app."):
                for member in obj:
                    add(str(member.value).replace("_", " "), obj.__name__)
    return found


def wanted_msgids() -> tuple[list[str], dict[str, list[str]]]:
    extracted = extracted_msgids()
    for msgid, where in ui_msgids().items():
        extracted.setdefault(msgid, []).extend(where)
    wanted = list(dict.fromkeys(fab_msgids() + list(extracted)))
    return wanted, extracted


def add_missing(lang: str, msgids: list[str], where: dict[str, list[str]]) -> int:
    """Append msgids absent from the catalogue (msgstr empty); existing entries are kept as they are."""
    catalogue = load_catalogue(lang)
    added = 0
    for msgid in msgids:
        if catalogue.get(msgid) is None:
            spots = [w.rsplit(":", 1) for w in where.get(msgid, [])[:3]]
            catalogue.add(msgid, "", auto_comments=["extracted"] + [
                              w for w in where.get(msgid, [])[:3] if w.startswith("ui:")],
                          locations=[(path, int(line)) for path, line in spots if line.isdigit()])
            added += 1
    if added:
        with open(catalogue_path(lang), "wb") as f:
            write_po(f, catalogue, width=100, sort_output=False, include_previous=False)
    return added


def compile_catalogues(force: bool = False) -> list[Path]:
    """Write messages.mo next to each messages.po that is newer (what `make translations` does)."""
    written = []
    for lang in LANGUAGES:
        po, mo = catalogue_path(lang), catalogue_path(lang, "mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            catalogue = load_catalogue(lang)
            with open(mo, "wb") as f:
                write_mo(f, catalogue)
            written.append(mo)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--add", action="store_true",
                        help="append missing msgids (empty msgstr) to the vi and en catalogues")
    args = parser.parse_args(argv)
    wanted, extracted = wanted_msgids()
    status = 0
    for lang in LANGUAGES:
        gaps = missing(lang, wanted)
        label = "untranslated or missing" if lang == "vi" else "missing"
        print(f"{lang}: {len(wanted) - len(gaps)} of {len(wanted)} msgids present; {len(gaps)} {label}")
        for msgid in gaps:
            where = ", ".join(extracted.get(msgid, ["Flask-AppBuilder"])[:2])
            print(f"  {msgid!r}  ({where})")
        if gaps:
            status = 1
            if args.add:
                print(f"  added {add_missing(lang, gaps, extracted)} entries to {catalogue_path(lang)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
