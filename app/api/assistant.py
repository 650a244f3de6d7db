"""The assistant's test console (SPEC §11): ``POST /api/v1/assistant/reply``.

JSON in ``{"conversation": <id or null>, "text": …, "channel": "web" | "messenger" | "zalo"}``,
JSON out: the replies and what they rest on (intent, entities, variants, handover, draft, order
number, facts). Clerk, supervisor and admin; a bad request is a 400 naming the field. One
transaction per turn: the message, the reply, the draft and any order are committed together.
"""
from __future__ import annotations

from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose, protect, safe

from app.api.actions import error_body
from app.extensions import db
from app.services.assistant.conversations import Settings, answer, read_request
from app.services.errors import DomainError


def settings() -> Settings:
    config = current_app.config
    return Settings(flat_fee=config.get("ASSISTANT_SHIPPING_FEE", 30000),
                    free_from=config.get("ASSISTANT_FREE_SHIPPING_FROM"),
                    pause_minutes=int(config.get("ASSISTANT_PAUSE_MINUTES", 30)))


class AssistantApi(BaseApi):
    resource_name = "assistant"
    class_permission_name = "AssistantReply"
    openapi_spec_tag = "Assistant"
    allow_browser_login = False
    method_permission_name = {"reply": "reply"}

    @expose("/reply", methods=["POST"])
    @protect()
    @safe
    def reply(self):
        """What the assistant answers to a shopper's message (the test console)."""
        try:
            conversation, text, channel = read_request(request.get_json(silent=True))
            _, out = answer(db.session, conversation=conversation, text=text, channel=channel,
                            settings=settings())
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return self.response(exc.http_status, **error_body(exc))
        return self.response(200, **out)
