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


def _mails(folder, expected: int, timeout: float = 10) -> list:
    import time
    from pathlib import Path
    deadline = time.time() + timeout
    while True:
        found = sorted(Path(folder).glob("*.eml")) if Path(folder).exists() else []
        if len(found) >= expected or time.time() > deadline:
            return found
        time.sleep(0.1)


def test_the_app_session_sends_a_mail_by_a_job_after_the_commit_and_never_after_a_rollback(web_app):
    from app.extensions import db
    from app.services.mail import Mail, send_after_commit
    outbox = web_app.config["MAIL_OUTBOX"]
    with web_app.app_context():
        db.session.add(Warehouse(code="HCM", name="Kho HCM"))
        send_after_commit(db.session, Mail(to="khach@example.vn", subject="Huỷ", body="-"))
        db.session.rollback()
        db.session.add(Warehouse(code="HN", name="Kho HN"))
        send_after_commit(db.session, Mail(to="khach@example.vn", subject="Đã giao", body="-"))
        db.session.commit()
    [sent] = _mails(outbox, 1)
    from email import message_from_bytes, policy
    assert message_from_bytes(sent.read_bytes(), policy=policy.default)["Subject"] == "Đã giao"
    assert len(_mails(outbox, 2, timeout=1)) == 1  # the rolled-back one never went
    assert _ran_on_the_queue(web_app, "jobs.mail.deliver")  # a job sent it, not the commit


def _ran_on_the_queue(app, func_name: str, timeout: float = 10) -> bool:
    import time

    from rq.registry import FinishedJobRegistry

    from jobs.queue import runtime
    queue = runtime(app).queue("default")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(job is not None and job.func_name == func_name for job in
               (queue.fetch_job(i) for i in FinishedJobRegistry(queue=queue).get_job_ids())):
            return True
        time.sleep(0.1)
    return False
