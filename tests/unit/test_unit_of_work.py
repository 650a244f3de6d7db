"""The unit of work commits once and fires what follows the commit only after it."""
import pytest
import sqlalchemy as sa

from app.commands.unit_of_work import UnitOfWork
from app.services.session_rules import session_factory
from app.models import Warehouse


@pytest.fixture
def uow_session(engine):
    s = session_factory(bind=engine, expire_on_commit=False, effects=False)()  # the uow runs them
    yield s
    s.close()


class Job:
    id = 7


def test_effects_run_after_the_commit_and_never_after_a_rollback(uow_session):
    queued = []
    uow = UnitOfWork(uow_session, enqueue=lambda job_id, queue: queued.append((job_id, queue)))
    with uow:
        uow.session.add(Warehouse(code="HCM", name="Kho HCM"))
        uow.enqueue_after_commit(uow.session, Job(), "integrations")
        assert queued == []  # nothing before the commit
        uow.commit()
    assert queued == [(7, "integrations")]
    with pytest.raises(RuntimeError):
        with uow:
            uow.session.add(Warehouse(code="HN", name="Kho HN"))
            uow.enqueue_after_commit(uow.session, Job(), "default")
            raise RuntimeError("refused")
    assert queued == [(7, "integrations")]  # the rolled-back work enqueued nothing
    assert uow_session.scalars(sa.select(Warehouse.code)).all() == ["HCM"]


def test_leaving_without_a_commit_rolls_back(uow_session):
    with UnitOfWork(uow_session) as uow:
        uow.session.add(Warehouse(code="DN", name="Kho DN"))
        uow.session.flush()
    assert uow_session.scalars(sa.select(Warehouse.code)).all() == []


def test_a_failing_effect_does_not_undo_the_commit(uow_session):
    ran = []
    with UnitOfWork(uow_session) as uow:
        uow.session.add(Warehouse(code="CT", name="Kho CT"))
        uow.after_commit(lambda: 1 / 0)
        uow.after_commit(lambda: ran.append("second"))
        uow.commit()
    assert ran == ["second"]
    assert uow_session.scalars(sa.select(Warehouse.code)).all() == ["CT"]


class Mail:
    to = "khach@example.vn"
    subject = "Đơn đã giao"


def test_effects_follow_the_commit_in_the_order_they_were_recorded(uow_session):
    """The services' record on the session first (a job, a mail), then the unit of work's own;
    each after the row is committed (another session already sees it)."""
    from sqlalchemy.orm import Session

    from app.services import after_commit
    seen = []

    def committed():
        with Session(bind=uow_session.get_bind()) as other:
            return other.scalars(sa.select(Warehouse.code)).all()

    uow = UnitOfWork(uow_session,
                     enqueue=lambda job_id, queue: seen.append(("job", job_id, queue, committed())),
                     mailer=lambda mail, conf: seen.append(("mail", mail.to, conf, committed())))
    with uow:
        uow.session.add(Warehouse(code="HCM", name="Kho HCM"))
        after_commit.enqueue_job(uow.session, 3, "integrations")
        after_commit.send_mail(uow.session, Mail(), {"MAIL_OUTBOX": "x"})
        uow.after_commit(lambda: seen.append(("own", committed())))
        uow.enqueue_after_commit(uow.session, Job(), "bulk")
        assert seen == []
        uow.commit()
    assert seen == [("job", 3, "integrations", ["HCM"]),
                    ("mail", "khach@example.vn", {"MAIL_OUTBOX": "x"}, ["HCM"]),
                    ("own", ["HCM"]),
                    ("job", 7, "bulk", ["HCM"])]


def test_a_rollback_forgets_what_the_services_recorded(uow_session):
    from app.services import after_commit
    seen = []
    uow = UnitOfWork(uow_session, enqueue=lambda job_id, queue: seen.append(job_id),
                     mailer=lambda mail, conf: seen.append(mail))
    with pytest.raises(ValueError):
        with uow:
            after_commit.enqueue_job(uow.session, 3)
            after_commit.send_mail(uow.session, Mail(), {})
            raise ValueError("refused")
    with uow:  # the next unit of work on the same session starts clean
        uow.session.add(Warehouse(code="HN", name="Kho HN"))
        uow.commit()
    assert seen == []
    assert after_commit.take(uow_session) == []


def test_a_released_savepoint_is_not_yet_a_commit(engine):
    """On a session that runs its record itself (a script's, a test's): what was recorded inside a
    savepoint waits for the real commit, and goes with a rollback."""
    from app.services import after_commit
    seen = []
    uow_session = session_factory(bind=engine, expire_on_commit=False)()
    with uow_session.begin_nested():
        after_commit.later(uow_session, lambda: seen.append("after"))
    assert seen == []
    uow_session.rollback()
    uow_session.commit()
    assert seen == []
    with uow_session.begin_nested():
        after_commit.later(uow_session, lambda: seen.append("after"))
    assert seen == []
    uow_session.commit()
    assert seen == ["after"]
    uow_session.close()
