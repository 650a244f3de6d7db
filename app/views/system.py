"""System views: background jobs, integration log, audit log, provider accounts (Admin)."""
from flask import flash, redirect, url_for
from flask_appbuilder.actions import action

from app.extensions import db
from app.models import AuditLog, IntegrationLog, Job, ProviderAccount
from app.security.row_rules import admin_only_tables
from app.views.base import OrderHubModelView
from app.views.credentials import CredentialsActions
from app.views.interface import OrderHubInterface


class JobView(OrderHubModelView):
    datamodel = OrderHubInterface(Job, eager=("user", "channel"))
    class_permission_name = "Job"
    list_title = "Jobs"
    list_columns = ["id", "title", "status", "progress", "attempts", "user", "created_at",
                    "finished_at", "error"]
    search_columns = ["kind", "status", "title", "created_at", "channel"]
    show_columns = ["id", "title", "kind", "queue", "status", "progress", "progress_done",
                    "progress_total", "target_type", "target_ids", "messages", "result", "error",
                    "attempts", "user", "channel", "created_at", "started_at", "finished_at",
                    "retry_of_id"]
    base_permissions = ["can_read"]
    base_order = ("id", "desc")

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
            flash(f"Started again as job(s) {', '.join('#' + str(j.id) for j in started)}.", "info")
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
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


class ProviderAccountView(CredentialsActions, OrderHubModelView):
    """Carrier and e-invoice accounts (admins only); credentials are set on their own page and
    never displayed."""
    datamodel = OrderHubInterface(ProviderAccount)
    class_permission_name = "ProviderAccount"
    list_title = "Carrier & e-invoice accounts"
    list_columns = ["name", "kind", "provider", "base_url", "active"]
    search_columns = ["name", "kind", "provider", "active"]
    show_columns = ["name", "kind", "provider", "base_url", "settings", "active"]
    add_columns = edit_columns = ["name", "kind", "provider", "base_url", "active"]
    base_order = ("name", "asc")
    audit_tables = ("provider_account",)
