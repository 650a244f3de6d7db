"""Business rules. Plain functions over a SQLAlchemy session; nothing here knows about Flask."""
from app.services import hooks as _hooks

_hooks.install()
