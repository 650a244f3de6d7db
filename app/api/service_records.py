"""REST writes (POST / PUT / DELETE on /api/v1/<resource>/) that go through a service.

The generated ``ModelRestApi`` loads the JSON straight onto the row and commits, which would skip
the lifecycle rules of orders, purchase orders, receipts and counts. A resource that mixes in
``ServiceRecordApi`` reads the body itself (only its declared columns; a related record by id, e.g.
``"warehouse": 2``; ``"version"`` for optimistic locking) and hands it to its ``service_add`` /
``service_edit`` / ``service_delete``; refusals answer 409/422 naming the field, like the actions.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import request

from app.api.actions import error_body
from app.extensions import db
from app.security import scope
from app.services.errors import DomainError, N_, ValidationError


def body_values(api, columns) -> tuple[dict, object]:
    """(values keyed by column / foreign key, version) from the JSON body; unknown keys refused."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("body", N_("Send a JSON object."))
    body = dict(body)
    version = body.pop("version", None)
    mapper = sa.inspect(api.datamodel.obj)
    out = {}
    for key, value in body.items():
        if key not in columns:
            raise ValidationError(key, N_("This field cannot be set here."))
        if key in mapper.relationships:
            out[next(iter(mapper.relationships[key].local_columns)).key] = value
        else:
            out[key] = value
    scope.refuse_out_of_scope_references(db.session, api.datamodel.obj, out)
    return out, version


class ServiceRecordApi:
    """Mixed into a generated ModelRestApi (before OrderHubRestApi in the bases)."""

    def service_add(self, values: dict):
        raise DomainError(N_("Records of this kind are created by their own action."))

    def service_edit(self, pk, values: dict, version):
        raise NotImplementedError

    def service_delete(self, pk):
        raise DomainError(N_("This record cannot be deleted; cancel it instead."))

    def _run(self, fn):
        try:
            return fn(), None
        except DomainError as exc:
            db.session.rollback()
            return None, self.response(exc.http_status, **error_body(exc))

    def _dump(self, schema, pk):
        db.session.expire_all()
        item = self.datamodel.get(pk, self._base_filters)
        return schema.dump(item, many=False)

    def post_headless(self):
        def add():
            values, _ = body_values(self, self.add_columns)
            return self.service_add(values)
        item, error = self._run(add)
        if error:
            return error
        return self.response(201, id=item.id, result=self._dump(self.add_model_schema, item.id))

    def put_headless(self, pk):
        if self.datamodel.get(pk, self._base_filters) is None:
            return self.response_404()

        def edit():
            values, version = body_values(self, self.edit_columns)
            return self.service_edit(int(pk), values, version)
        _, error = self._run(edit)
        if error:
            return error
        return self.response(200, result=self._dump(self.edit_model_schema, pk))

    def delete_headless(self, pk):
        if self.datamodel.get(pk, self._base_filters) is None:
            return self.response_404()
        _, error = self._run(lambda: self.service_delete(int(pk)))
        return error or self.response(200, message="OK")
