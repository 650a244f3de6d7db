"""The admin's "Set credentials" page on a channel or a carrier / e-invoice account: one password
field per secret, never prefilled; the page says which are set, not what they are."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext

from app.extensions import db
from app.services.credentials import credential_status, set_credentials


class CredentialsActions:
    """Mixed into ChannelView and ProviderAccountView (permission ``set_credentials``: admins)."""

    permission_aliases = {"credentials_form": "set_credentials"}

    @action("set_credentials", lazy_gettext("Set credentials"), None, "fa-key", multiple=False)
    def set_credentials_action(self, items):
        item = items[0] if isinstance(items, list) else items
        return redirect(url_for(f"{type(self).__name__}.credentials_form", pk=item.id))

    @expose("/credentials/<int:pk>", methods=["GET", "POST"])
    @has_access
    def credentials_form(self, pk):
        record = self.get_scoped(pk)
        if request.method == "POST":
            changed = self.run_service(set_credentials, db.session, record, request.form.to_dict())
            if changed is not None:
                flash(gettext("Credentials saved: %(fields)s.", fields=", ".join(changed))
                      if changed else gettext("Nothing changed: every field was left blank."),
                      "success" if changed else "info")
                return redirect(url_for(f"{type(self).__name__}.show", pk=pk))
        return self.render_template("orderhub/credentials.html", record=record,
                                    fields=credential_status(record),
                                    back=url_for(f"{type(self).__name__}.show", pk=pk))
