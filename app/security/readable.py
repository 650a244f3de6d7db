"""A role's permissions as a person reads them ("Order: read, write, confirm, pack"), whether the
role is declared in code (the matrix's regular expressions, app/security/roles.py) or stored as
permission rows."""
from __future__ import annotations

import re

from app.services.errors import N_

# The matrix's own permission words, for the catalogues (actions are named by their buttons).
WORDS = (N_("read"), N_("write"), N_("sync"), N_("watch"), N_("retry"), N_("submit"),
         N_("low stock"), N_("quick entry"), N_("edit lines"), N_("deliver"), N_("fail delivery"),
         N_("preview invoice"), N_("start count"), N_("open the form"), N_("save the form"), N_("reply"))
RESOURCES = (N_("Size Chart"), N_("Assistant Reply"))  # resources named by their class, for the catalogues
# Pages of the sign-in framework itself, by what a person calls them.
PAGES = {"ResetMyPasswordView": N_("Change my password"), "UserInfoEditView": N_("My profile"),
         "UserDBModelView": N_("Users"), "MenuApi": N_("Menu"), "OpenApi": N_("API description"),
         "SwaggerView": N_("API documentation")}
# A permission's own words where its method name says it the programmer's way.
SAID = {"this_form_get": N_("open the form"), "this_form_post": N_("save the form"),
        "get": N_("read")}
_NAMES = re.compile(r"^\^?\(?(?P<names>[\w|.*]+?)\)?\$?$")
_INNER = re.compile(r"^\^?(?P<head>\w*)\((?P<names>[\w|]+)\)(?P<tail>\w*)\$?$")


def _names(pattern: str) -> list[str]:
    """``^(can_read|menu_access)$`` → ["can_read", "menu_access"]; ``.*`` → ["*"];
    ``can_this_form_(get|post)`` → ["can_this_form_get", "can_this_form_post"]."""
    text = str(pattern).strip()
    if text in (".*", "^.*$"):
        return ["*"]
    match = _NAMES.match(text)
    if match:
        return match.group("names").split("|")
    inner = _INNER.match(text)
    if inner:
        return [inner["head"] + name + inner["tail"] for name in inner["names"].split("|")]
    return [text]


def _what(permission: str) -> str | None:
    """A permission in plain words: "can_read" → "read"; menu entries are not worth a word."""
    if permission == "menu_access":
        return None
    if permission.endswith("_.*"):  # every bulk action: "bulk_.*"
        return _said(N_("bulk actions"))
    name = permission.removeprefix("can_")
    button = _buttons().get(name)
    if button:
        return str(button).lower()
    return _said(SAID.get(name) or name.replace("_", " "))


def _buttons() -> dict:
    """Action name → its button's label (in the reader's language), from the registered views."""
    from flask import current_app, has_app_context
    if not has_app_context():
        return {}
    out = {}
    for view in getattr(current_app.appbuilder, "baseviews", []):
        for name, item in (getattr(view, "actions", None) or {}).items():
            out.setdefault(name, item.text)
    return out


def _said(text: str) -> str:
    """In the reader's language where the catalogue has the words."""
    from flask import has_request_context
    if not has_request_context():
        return text
    from flask_babel import gettext
    return gettext(text)


def _resource(name: str) -> str:
    """"PurchaseOrder" → "Purchase Order", as the panel names it, in the reader's language."""
    return _said(PAGES.get(name) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name))


def permission_lines(permissions) -> list[str]:
    """One line per resource: its name and what the role may do there."""
    grants: dict[str, set[str]] = {}
    for item in permissions or []:
        if isinstance(item, (list, tuple)) and len(item) == 2:  # a rule of the matrix
            views, perms = _names(item[0]), _names(item[1])
        else:  # a stored permission: "can read on Order"
            view = getattr(getattr(item, "view_menu", None), "name", None) or str(item)
            perm = getattr(getattr(item, "permission", None), "name", None) or ""
            views, perms = [view], [perm]
        for view in views:
            words = grants.setdefault(view, set())
            words.update(w for w in (_what(p) if p != "*" else "*" for p in perms) if w)
    lines = []
    for view in sorted(grants, key=lambda v: (v != "*", v.lower())):
        words = sorted(grants[view])
        if not words:  # a menu entry only
            continue
        if view == "*" and "*" in words:
            lines.append("*: *")
            continue
        lines.append(f"{_resource(view)}: {', '.join(words) if words else '—'}")
    return lines


def readable_permissions(permissions) -> str:
    """For a role's page: everything, or one line per resource."""
    lines = permission_lines(permissions)
    if lines == ["*: *"]:
        from flask_babel import gettext
        return gettext("Everything")
    return "\n".join(lines)
