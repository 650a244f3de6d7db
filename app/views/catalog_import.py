"""The catalogue's Import page: upload a CSV or XLSX file, read the dry run's report (what would be
created and updated, or every bad row with its line, column and rule), then confirm. A large file
is checked and imported by a job whose progress the page follows. Also the downloads: the
catalogue exported in the same format, and a template with an example row."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext

from app.api.catalog import file_response
from app.extensions import db
from app.models import Job, JobStatus
from app.services.catalog import exporting
from app.services.catalog.importing import CatalogueRejected, Upload
from app.services.errors import fill
from app.web import catalog_import
from app.web.i18n import error_text, translate

KINDS = (("products", lazy_gettext("Products")), ("variants", lazy_gettext("Variants")),
         ("categories", lazy_gettext("Categories")), ("brands", lazy_gettext("Brands")),
         ("opening_moves", lazy_gettext("Opening stock moves")))


def _problems(exc: CatalogueRejected) -> list[dict]:
    return [{"line": p.line, "column": p.column or "", "message": translate(p.message)}
            for p in exc.problems]


def _stored_problem(stored: dict) -> dict:
    """One problem a job stored, in the reader's language."""
    english = stored.get("template")
    message = fill(gettext(english), stored.get("details") or {}) if english else \
        stored.get("message", "")
    return {"line": stored.get("line"), "column": stored.get("column") or "", "message": message}


class CatalogImportView(BaseView):
    route_base = "/catalog/import"
    class_permission_name = "Product"
    default_view = "index"
    method_permission_name = {"index": "import_catalogue", "confirm": "import_catalogue",
                              "job": "import_catalogue", "template": "read", "export": "read"}
    template_name = "orderhub/catalog_import.html"

    def _page(self, **kwargs):
        return self.render_template(self.template_name, kinds=KINDS,
                                    title=gettext("Import the catalogue"), **kwargs)

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        """Upload a file; a small one is checked at once (dry run), a large one by a job."""
        if request.method == "GET":
            return self._page()
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            flash(gettext("Choose a CSV or XLSX file to import."), "warning")
            return self._page()
        upload = Upload(sent.filename, sent.read())
        try:
            report, job = catalog_import.run(upload, dry_run=True)
        except CatalogueRejected as exc:
            return self._page(filename=upload.filename, problems=_problems(exc),
                              refusal=error_text(exc))
        if job is not None:
            return redirect(url_for("CatalogImportView.job", job_id=job.id))
        token = catalog_import.stash(upload)
        return self._page(filename=upload.filename, report=report.as_dict(), token=token)

    @expose("/confirm", methods=["POST"])
    @has_access
    def confirm(self):
        """Import the file the person checked and confirmed."""
        token, filename = request.form.get("token", ""), request.form.get("filename", "")
        upload = catalog_import.unstash(token, filename)
        if upload is None:
            flash(gettext("That file is no longer waiting: upload it again."), "warning")
            return redirect(url_for("CatalogImportView.index"))
        try:
            report, job = catalog_import.run(upload, dry_run=False, token=token)
        except CatalogueRejected as exc:  # the database changed since the dry run
            return self._page(filename=filename, problems=_problems(exc),
                              refusal=error_text(exc))
        if job is not None:
            return redirect(url_for("CatalogImportView.job", job_id=job.id))
        catalog_import.drop(token)
        flash(gettext("The catalogue file was imported."), "success")
        return self._page(filename=filename, report=report.as_dict(), done=True)

    @expose("/job/<int:job_id>")
    @has_access
    def job(self, job_id):
        """A background check or import: its progress, then its report or its problems."""
        job = db.session.get(Job, job_id)
        if job is None or job.kind != catalog_import.JOB_KIND:
            abort(404)
        params = job.params or {}
        result = job.result or {}
        kwargs = {"job": job, "filename": params.get("filename", ""),
                  "running": job.status in (JobStatus.QUEUED, JobStatus.STARTED)}
        if result.get("errors"):
            kwargs["problems"] = [_stored_problem(p) for p in result["errors"]]
            kwargs["refusal"] = job.error
        elif job.status == JobStatus.FINISHED:
            kwargs["report"] = result
            kwargs["done"] = not params.get("dry_run")
            if params.get("dry_run"):
                kwargs["token"] = params.get("token")
        elif job.status == JobStatus.FAILED:
            kwargs["refusal"] = job.error
        return self._page(**kwargs)

    @expose("/template")
    @has_access
    def template(self):
        return file_response(exporting.template_rows(), request.args.get("format", "csv"),
                             "catalogue-template")

    @expose("/export")
    @has_access
    def export(self):
        return file_response(exporting.catalogue_rows(db.session),
                             request.args.get("format", "csv"), "catalogue")

