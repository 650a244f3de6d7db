"""Business rules. Plain functions over a SQLAlchemy session; nothing here knows about Flask.

The rules every write must pass are installed on a session factory by ``session_rules.install``."""
