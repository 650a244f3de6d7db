"""Nothing works by being imported: no listener sits on SQLAlchemy's Session class, and what follows
a commit is wired on the app's own session factory by ``create_app``."""
import importlib
import pkgutil

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.events import SessionEvents

import app as app_package
import jobs as jobs_package
from app.models import Warehouse

EVENTS = [name for name in vars(SessionEvents) if not name.startswith("_")
          and callable(getattr(SessionEvents, name)) and hasattr(Session.dispatch, name)]


# SQLAlchemy-Utils' aggregated attributes watch every flush from the library's side; nothing of ours.
THIRD_PARTY = ("sqlalchemy_utils.",)


def listeners_on(cls) -> dict:
    """Every listener of ours a plain instance of ``cls`` would call, by event (class-level)."""
    probe = cls.__new__(cls)
    found = {}
    for name in EVENTS:
        listeners = list(getattr(Session.dispatch, name)._clslevel.get(cls, ())) + \
            [fn for fn in getattr(probe.dispatch, name)]
        listeners = [fn for fn in listeners
                     if not getattr(fn, "__module__", "").startswith(THIRD_PARTY)]
        if listeners:
            found[name] = listeners
    return found


def _import_everything() -> list[str]:
    names = []
    for package in (app_package, jobs_package):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def test_no_listener_is_registered_on_the_session_class(web_app):
    """Importing every module of app/ and jobs/ and building the app leaves SQLAlchemy's Session
    class (and Flask-SQLAlchemy's) without a listener: the rules and the after-commit effects are
    installed on the app's session factory only."""
    from flask_sqlalchemy.session import Session as FlaskSession
    assert len(_import_everything()) > 100
    assert listeners_on(Session) == {}
    assert listeners_on(FlaskSession) == {}
    assert EVENTS and "after_commit" in EVENTS and "before_flush" in EVENTS


def test_the_app_session_has_its_rules_and_effects(web_app):
    from app.bootstrap import run_after_commit
    from app.extensions import db
    from app.services import hooks
    with web_app.app_context():
        assert sa.event.contains(db.session, "before_flush", hooks.before_flush)
        assert sa.event.contains(db.session, "after_commit", run_after_commit)


def test_a_plain_session_has_no_rules_and_a_ruled_factory_has_them(engine):
    """The rules hold on the sessions they are installed on, and nowhere by accident."""
    from app.services.session_rules import session_factory
    plain = Session(bind=engine)
    plain.add(Warehouse(code="HCM", name="Kho HCM"))
    plain.flush()
    plain.rollback()
    plain.close()
    assert listeners_on(Session) == {}
    ruled = session_factory(bind=engine)()
    assert type(ruled) is not Session and isinstance(ruled, Session)
    assert set(listeners_on(type(ruled))) >= {"before_flush", "after_flush", "after_commit"}
    assert listeners_on(Session) == {}  # on the factory's own class, not on its base
    ruled.close()
