"""Extension objects created once per process; bound to an app in ``create_app``.

``db`` uses Flask-AppBuilder's declarative ``Model`` so FAB's security tables and ours share one
metadata (one Alembic chain creates both).
"""
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
