"""The catalogue file on the REST API (SPEC §12):

POST /api/v1/catalog/import     multipart ``file`` (CSV or XLSX), optional ``dry_run=true``
    → 200 the report (what was, or would be, created and updated); a large file → 202
      ``{"job_id": …}`` (the job's result holds the report or the errors);
    → 422 ``{"message": …, "errors": [{"line", "column", "message"}, …]}`` listing every bad row.
GET  /api/v1/catalog/export?format=csv|xlsx   the whole catalogue in the same format
GET  /api/v1/catalog/template?format=csv|xlsx the header and an example row

Importing needs the ``import_catalogue`` permission on products (supervisor, admin); exporting
only reading them.
"""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe

from app.api.actions import accepted, error_body
from app.extensions import db
from app.services.catalog import exporting
from app.services.catalog.importing import CatalogueRejected, Upload
from app.services.errors import N_, ValidationError
from app.web import catalog_import
from app.web.i18n import error_text, translate

TYPES = {"csv": ("text/csv; charset=utf-8", exporting.to_csv),
         "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  exporting.to_xlsx)}
TRUE = {"1", "true", "yes", "on"}


def problems_json(exc: CatalogueRejected) -> list[dict]:
    return [{"line": p.line, "column": p.column, "message": translate(p.message)}
            for p in exc.problems]


def file_response(rows: list[dict], fmt: str, name: str) -> Response:
    mimetype, write = TYPES.get(fmt, TYPES["csv"])
    ext = fmt if fmt in TYPES else "csv"
    return Response(write(rows), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}.{ext}"})


class CatalogApi(BaseApi):
    resource_name = "catalog"
    class_permission_name = "Product"
    openapi_spec_tag = "Catalog"
    allow_browser_login = False
    method_permission_name = {"import_file": "import_catalogue", "export_file": "read",
                              "template_file": "read"}

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    def import_file(self):
        """Import (or with dry_run=true only check) a catalogue file."""
        sent = request.files.get("file")
        dry_run = (request.form.get("dry_run") or request.args.get("dry_run") or "").lower() in TRUE
        if sent is None or not sent.filename:
            exc = ValidationError("file", N_("Send the catalogue as the multipart field "
                                             "\"file\" (CSV or XLSX)."))
            return self.response(422, **error_body(exc))
        try:
            report, job = catalog_import.run(Upload(sent.filename, sent.read()), dry_run=dry_run)
        except CatalogueRejected as exc:
            db.session.rollback()
            return self.response(422, message=error_text(exc), errors=problems_json(exc))
        if job is not None:
            return accepted(self, job)
        return self.response(200, **report.as_dict())

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    def export_file(self):
        """The whole catalogue as a CSV or XLSX file in the import's format."""
        return file_response(exporting.catalogue_rows(db.session),
                             request.args.get("format", "csv"), "catalogue")

    @expose("/template", methods=["GET"])
    @protect()
    @safe
    def template_file(self):
        """An empty catalogue file with one example row."""
        return file_response(exporting.template_rows(), request.args.get("format", "csv"),
                             "catalogue-template")
