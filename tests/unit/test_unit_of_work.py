"""The unit of work commits once and fires what follows the commit only after it."""
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from app.commands.unit_of_work import UnitOfWork
from app.models import Warehouse


@pytest.fixture
def uow_session(engine):
    s = sessionmaker(bind=engine, expire_on_commit=False)()
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
