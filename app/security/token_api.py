"""``/api/v1/security/login``, ``/refresh`` and ``/logout``: Flask-AppBuilder's JWT login, with
every login a server-side session and refresh tokens that rotate.

Each access and refresh token carries its session (``sid``); a token of a revoked session is
refused (the security manager's blocklist check). ``/refresh`` spends the refresh token it is
given and answers a new access token *and* a new refresh token; a refresh token presented a
second time means someone else has a copy: the whole session is revoked, so neither the thief
nor the owner can go on with it (the owner signs in again).
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import safe
from flask_appbuilder.const import (API_SECURITY_ACCESS_TOKEN_KEY, API_SECURITY_PROVIDER_DB,
                                    API_SECURITY_PROVIDER_LDAP, API_SECURITY_REFRESH_TOKEN_KEY)
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.schemas import login_post
from flask_appbuilder.views import expose
from flask_babel import gettext
from flask_jwt_extended import (create_access_token, create_refresh_token, decode_token, get_jwt,
                                jwt_required)
from marshmallow import ValidationError

from app.security import sessions


def _db():
    from app.extensions import db
    return db.session


def _tokens(auth_session, user_id: str, *, fresh: bool, refresh: bool) -> dict:
    claims = {"sid": auth_session.token}
    tokens = {API_SECURITY_ACCESS_TOKEN_KEY: create_access_token(
        identity=user_id, fresh=fresh, additional_claims=claims)}
    if refresh:
        token = create_refresh_token(identity=user_id, additional_claims=claims)
        sessions.record_refresh_token(_db(), auth_session, decode_token(token)["jti"])
        tokens[API_SECURITY_REFRESH_TOKEN_KEY] = token
    return tokens


class OrderHubSecurityApi(SecurityApi):

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        """Sign in: a JWT access token, and a refresh token with ``"refresh": true``
        ---
        post:
          description: >-
            Authenticate; every login is a session the server can end (sign-out, password
            change, a refresh token used twice)
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    username: {type: string}
                    password: {type: string}
                    provider: {type: string, enum: [db, ldap]}
                    refresh: {type: boolean}
          responses:
            200:
              description: Signed in
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      access_token: {type: string}
                      refresh_token: {type: string}
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            429:
              description: Too many attempts; the message says when to try again
        """
        if not request.is_json:
            return self.response_400(message="Request payload is not JSON")
        try:
            payload = login_post.load(request.json)
        except ValidationError as error:
            return self.response_400(message=error.messages)
        sm = self.appbuilder.sm
        user = None
        if payload["provider"] == API_SECURITY_PROVIDER_DB:
            user = sm.auth_user_db(payload["username"], payload["password"])
        elif payload["provider"] == API_SECURITY_PROVIDER_LDAP:
            user = sm.auth_user_ldap(payload["username"], payload["password"])
        if not user:
            return self.response_401()
        auth_session = sessions.open_session(_db(), user.id, "api", request.remote_addr)
        tokens = _tokens(auth_session, str(user.id), fresh=True, refresh=bool(payload.get("refresh")))
        _db().commit()
        return self.response(200, **tokens)

    @expose("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    @safe
    def refresh(self):
        """Spend a refresh token for a new access token and a new refresh token
        ---
        post:
          description: >-
            Each refresh token works once. Presenting a spent one ends the whole session.
          responses:
            200:
              description: A new access_token and a new refresh_token, as the login gives
            401:
              $ref: '#/components/responses/401'
          security:
            - jwt_refresh: []
        """
        claims = get_jwt()
        auth_session = sessions.use_refresh_token(_db(), claims["jti"])
        if auth_session is None:
            _db().commit()  # a reused token's session stays revoked
            return self.response(401, message=gettext(
                "This refresh token was already used or its session has ended: sign in again."))
        tokens = _tokens(auth_session, claims["sub"], fresh=False, refresh=True)
        _db().commit()
        return self.response(200, **tokens)

    @expose("/logout", methods=["POST"])
    @jwt_required()
    @safe
    def logout(self):
        """End this login's session: its access and refresh tokens stop working
        ---
        post:
          responses:
            200:
              description: Signed out
            401:
              $ref: '#/components/responses/401'
          security:
            - jwt: []
        """
        sessions.revoke(_db(), get_jwt().get("sid"), sessions.LOGGED_OUT)
        _db().commit()
        return self.response(200, message=gettext("Signed out."))
