"""What a carrier's COD statement file said, in the reader's words: the summary flashed after the
import and the list of every row that needs a look (kept on the statement, shown until it is
confirmed)."""
from __future__ import annotations

from flask_babel import gettext

from app.extensions import db
from app.models import CodReconciliation, ReconciliationStatus
from app.services.amounts import parse_id
from app.web.formatting import enum_label, format_vnd

MAX_UPLOAD = 5 * 1024 * 1024


def cod_draft(value) -> CodReconciliation | None:
    """The draft statement ``value`` names (shipments or a file go into it), else None."""
    rec = db.session.get(CodReconciliation, parse_id(value)) if parse_id(value) else None
    return rec if rec is not None and rec.status == ReconciliationStatus.DRAFT else None


def _as_dict(report) -> dict:
    return report.as_dict() if hasattr(report, "as_dict") else dict(report or {})


def import_summary(report) -> str:
    data = _as_dict(report)
    problems = sum(len(data.get(k) or []) for k in ("unknown", "elsewhere", "not_eligible",
                                                    "repeated", "other_carrier"))
    differ = sum(1 for m in data.get("matched") or [] if m.get("differs"))
    return gettext("Statement file read: %(matched)s parcels matched, %(differ)s with amounts that "
                   "differ, %(problems)s rows not taken (listed on the statement).",
                   matched=len(data.get("matched") or []), differ=differ, problems=problems)


def report_lines(report) -> list[str]:
    """One sentence per row that needs a look, in the order of the file."""
    data = _as_dict(report)
    out: list[tuple[int, str]] = []
    for m in data.get("matched") or []:
        if not m.get("differs"):
            continue
        if m.get("cod") is not None and m["cod"] != m["expected"]:
            out.append((m["line"], gettext(
                "Line %(line)s, %(tracking)s (%(order)s): the carrier says it collected %(cod)s, "
                "the parcel's COD is %(expected)s.", line=m["line"], tracking=m["tracking"],
                order=m["order"], cod=format_vnd(m["cod"]), expected=format_vnd(m["expected"]))))
        else:
            out.append((m["line"], gettext(
                "Line %(line)s, %(tracking)s (%(order)s): paid %(paid)s + fees %(fee)s differ from "
                "the COD %(expected)s by %(difference)s.", line=m["line"], tracking=m["tracking"],
                order=m["order"], paid=format_vnd(m["paid"]), fee=format_vnd(m["fee"]),
                expected=format_vnd(m["expected"]), difference=format_vnd(m["difference"]))))
    for item in data.get("unknown") or []:
        out.append((item["line"], gettext("Line %(line)s, %(tracking)s: no parcel of ours has this "
                                          "tracking number.", **item)))
    for item in data.get("elsewhere") or []:
        out.append((item["line"], gettext("Line %(line)s, %(tracking)s: already in statement "
                                          "%(statement)s.", **item)))
    for item in data.get("not_eligible") or []:
        state = gettext("not COD") if item["state"] == "not COD" else enum_label(item["state"])
        out.append((item["line"], gettext("Line %(line)s, %(tracking)s: not a delivered COD parcel "
                                          "waiting for reconciliation (%(state)s).",
                                          line=item["line"], tracking=item["tracking"],
                                          state=state)))
    for item in data.get("repeated") or []:
        out.append((item["line"], gettext("Line %(line)s, %(tracking)s: the parcel is listed twice "
                                          "in the file; the first line was taken.", **item)))
    for item in data.get("other_carrier") or []:
        out.append((item["line"], gettext("Line %(line)s, %(tracking)s: a parcel of %(carrier)s, "
                                          "not of this statement's carrier.", **item)))
    return [text for _, text in sorted(out, key=lambda pair: pair[0])]
