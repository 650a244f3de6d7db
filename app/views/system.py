"""System views: background jobs, integration log, audit log, provider accounts (Admin)."""
from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.services.errors import N_, DomainError
from app.web.i18n import error_text, field_errors
from app.models import AuditLog, IntegrationLog, Job, ProviderAccount
from app.services.connection_fields import PROVIDER_TITLES
from app.security.row_rules import admin_only_tables
from app.views.base import OrderHubModelView
from app.views.credentials import CredentialsActions, flash_check, form_values
from app.views.interface import OrderHubInterface
from app.web.formatting import enum_label, format_changes, table_label
from app.web.i18n import phrase_text


# The record page a job's targets link to, by the job's target type.
TARGET_PAGES = {"order": ("Order", "number", "OrderView.show"),
                "invoice": ("Invoice", "display_number", "InvoiceView.show"),
                "shipment": ("Shipment", "tracking_number", "ShipmentView.show"),
                "purchase_order": ("PurchaseOrder", "number", "PurchaseOrderView.show")}


def job_targets(job, limit: int = 200) -> list[tuple[str, str | None]]:
    """(label, link) for each record the job works on: "SO-000074" → its order page."""
    import app.models as models
    ids = [int(i) for i in (job.target_ids or [])[:limit] if str(i).isdigit()]
    page = TARGET_PAGES.get(job.target_type or "")
    if not ids or page is None:
        return [(f"#{i}", None) for i in ids]
    model = getattr(models, page[0])
    found = {r.id: r for r in db.session.query(model).filter(model.id.in_(ids))}
    return [(str(getattr(found[i], page[1], None) or f"#{i}") if i in found else f"#{i}",
             url_for(page[2], pk=i) if i in found else None) for i in ids]


# The words jobs use as keys of their result, so the catalogues carry them.
RESULT_WORDS = (N_("booked"), N_("already booked"), N_("skipped"), N_("refused"), N_("to retry"),
                N_("checked"), N_("corrected"), N_("to check"),
                N_("waiting to try again"))  # Job.state of a job queued for another try


def _result_text(value) -> str:
    """A job's result as a reader says it ("booked: 20 · refused: 0"), not a Python dict."""
    from app.web.formatting import enum_label
    if isinstance(value, dict):
        return " · ".join(f"{enum_label(key)}: {val}" for key, val in value.items()
                          if not isinstance(val, (dict, list)))
    return "" if value is None else str(value)


class JobView(OrderHubModelView):
    datamodel = OrderHubInterface(Job, eager=("user", "channel"))
    class_permission_name = "Job"
    list_title = "Jobs"
    list_columns = ["id", "title_phrase", "state", "progress", "attempts", "user", "created_at",
                    "finished_at", "error_phrase"]
    search_columns = ["kind", "status", "title", "created_at", "channel"]
    # Progress, messages and the records worked on are drawn above the fields (job_show.html).
    show_columns = ["id", "title_phrase", "kind", "queue", "state", "result", "error_phrase",
                    "attempts", "user", "channel", "created_at", "started_at", "finished_at",
                    "retry_of_id"]
    label_columns = {"title_phrase": "Title", "error_phrase": "Error", "state": "Status"}
    base_permissions = ["can_read"]
    base_order = ("id", "desc")
    show_template = "orderhub/job_show.html"
    formatters_columns = {"result": lambda value: _result_text(value),
                          "title_phrase": phrase_text, "error_phrase": phrase_text,
                          "state": enum_label}
    permission_aliases = {"progress_json": "read"}

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            job = kwargs["job_record"] = self.get_scoped(kwargs["pk"])
            kwargs["job_targets"] = job_targets(job)
        return super().render_template(template, **kwargs)

    @expose("/progress/<int:pk>")
    @has_access
    def progress_json(self, pk):
        """What the job page polls while the job runs: status and done/total."""
        job = self.get_scoped(pk)  # 404 for a job the user may not see
        return jsonify({"status": job.status.value, "state": enum_label(job.state),
                        "done": job.progress_done, "total": job.progress_total,
                        "running": job.status.value in ("queued", "started")})

    @action("retry", "Retry", "Run this failed job again?", "fa-repeat", multiple=False)
    def retry(self, item):
        return self._retry([item])

    @action("bulk_retry", "Retry failed jobs", "Run the selected failed jobs again?", "fa-repeat",
            single=False)
    def bulk_retry(self, items):
        return self._retry(items if isinstance(items, list) else [items])

    def _retry(self, items):
        from app.services.jobs import retry_job
        from jobs.queue import enqueue_after_commit
        started = []
        for job in items:
            again = self.run_service(retry_job, db.session, job, enqueue=enqueue_after_commit)
            if again is not None:
                started.append(again)
        db.session.commit()
        if started:
            flash(gettext("Started again as job(s) %(jobs)s.",
                          jobs=", ".join("#" + str(j.id) for j in started)), "info")
        return redirect(url_for("JobView.show", pk=started[-1].id) if started else
                        url_for("JobView.list"))


class IntegrationLogView(OrderHubModelView):
    datamodel = OrderHubInterface(IntegrationLog)
    class_permission_name = "IntegrationLog"
    list_columns = ["created_at", "direction", "system", "method", "endpoint", "status", "ok",
                    "duration_ms", "job_id"]
    search_columns = ["system", "direction", "status", "ok", "endpoint", "created_at"]
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


class AuditLogView(OrderHubModelView):
    datamodel = OrderHubInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_filters = admin_only_tables()
    list_columns = ["created_at", "username", "table_name", "record_id", "record_label", "action",
                    "changes"]
    search_columns = ["table_name", "record_id", "username", "action", "created_at"]
    formatters_columns = {"changes": format_changes, "table_name": table_label,
                          "action": enum_label}
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


class ProviderAccountView(CredentialsActions, OrderHubModelView):
    """Carrier and e-invoice accounts (admins only). Everything an account's provider needs is set
    on its one settings form (``credentials_form``, which adding and editing lead to); its page shows
    each setting labelled, secrets only as set or not set, and tests the connection."""
    datamodel = OrderHubInterface(ProviderAccount)
    class_permission_name = "ProviderAccount"
    list_title = "Carrier & e-invoice accounts"
    list_columns = ["name", "kind", "provider", "base_url", "active"]
    search_columns = ["name", "kind", "provider", "active"]
    show_columns = ["kind", "provider"]  # the rest: every setting, labelled, below (show template)
    add_columns = edit_columns = ["name", "active"]
    label_columns = {"base_url": "API address"}
    formatters_columns = {"provider": lambda value: PROVIDER_TITLES.get(value, value)}
    base_order = ("name", "asc")
    audit_tables = ("provider_account",)
    show_template = "orderhub/provider_account_show.html"
    permission_aliases = {**CredentialsActions.permission_aliases, "new_account": "write"}

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            from app.services.connection_settings import describe, missing
            account = kwargs["account"] = self.get_scoped(kwargs["pk"])
            kwargs["setting_groups"] = describe(db.session, account)
            kwargs["missing_fields"] = [gettext(f.label) for f in missing(db.session, account)]
        return super().render_template(template, **kwargs)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        return redirect(url_for("ProviderAccountView.new_account"))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return redirect(url_for("ProviderAccountView.credentials_form", pk=self.get_scoped(pk).id))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new_account(self):
        """Choose the provider, then fill in its one form; nothing is stored until it all passes."""
        from app.services.connection_settings import new_account, provider_fields
        provider = request.args.get("provider", "")
        if provider not in PROVIDER_TITLES:
            return self.render_template("orderhub/provider_choose.html", providers=PROVIDER_TITLES)
        account = ProviderAccount(provider=provider)
        action_url = url_for("ProviderAccountView.new_account", provider=provider)
        if request.method != "POST":
            return self.render_connection_form(account, provider_title=PROVIDER_TITLES[provider],
                                               action_url=action_url)
        values = form_values(provider_fields(provider), request.form)
        try:
            account = new_account(db.session, provider, values)
        except DomainError as exc:
            db.session.rollback()
            return self.render_connection_form(
                ProviderAccount(provider=provider), values=values, action_url=action_url,
                provider_title=PROVIDER_TITLES[provider], errors=field_errors(exc) or {"": [error_text(exc)]})
        flash(gettext("Account %(name)s added.", name=account.name), "success")
        if request.form.get("then") == "test":
            from app.services.connection_check import check_connection
            flash_check(check_connection(db.session, account))
        return redirect(url_for("ProviderAccountView.show", pk=account.id))
