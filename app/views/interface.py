"""The data interface every OrderHub view and API uses: eager loading for list columns, a capped
count, friendly integrity messages, and one-query loading of selected rows."""
from __future__ import annotations

from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, inspect, literal_column, select, table
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.services.errors import DomainError
from app.services.integrity import explain_integrity_error
from app.views import sort_keys
from app.views.folded_search import FoldedFilterConverter

COUNT_CAP = 10_000
MAX_ID = 2_147_483_647  # an INTEGER key


class KeyCheckedInterface(SQLAInterface):
    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """None for an id no row can have (not a number, or beyond an INTEGER), as for a missing
        one — a hand-typed URL or form value must not reach the database as an overflow."""
        try:
            if abs(int(id)) > MAX_ID:
                return None
        except (TypeError, ValueError):
            return None
        return super().get(id, filters, select_columns, outer_default_load)


class OrderHubInterface(KeyCheckedInterface):
    filter_converter_class = FoldedFilterConverter  # "search_text": search without accents

    def __init__(self, obj, session=None, eager: tuple[str, ...] = (),
                 record_eager: tuple[str, ...] = ()):
        super().__init__(obj, session)
        self.eager = eager
        # Many-to-one relations a record's own page shows, loaded in the record's statement.
        self.record_eager = record_eager

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """FAB's get (row rules applied), with ``record_eager`` joined into the same statement."""
        if not self.record_eager or select_columns or self.is_pk_composite():
            return super().get(id, filters, select_columns, outer_default_load)
        try:
            if abs(int(id)) > MAX_ID:
                return None
        except (TypeError, ValueError):
            return None
        _filters = filters.copy() if filters else Filters(self.filter_converter_class, self)
        _filters.add_filter(self.get_pk_name(), self.FilterEqual, id)
        query = self.session.query(self.obj).options(*self._eager_options(self.record_eager))
        return self.apply_all(query, _filters, outer_default_load=outer_default_load).one_or_none()

    def is_nullable(self, col_name: str) -> bool:
        """A checkbox is never "required": unticked means False, and the column's default holds.
        (FAB would otherwise refuse any form that leaves a NOT NULL flag unticked.)"""
        if self.is_boolean(col_name):
            return True
        return super().is_nullable(col_name)

    # --- sorting (app/views/sort_keys.py) ----------------------------------------------------
    def get_order_columns_list(self, list_columns=None) -> list[str]:
        """The headers a list offers to sort by: stored columns and computed ones with a key."""
        return [c for c in super().get_order_columns_list(list_columns)
                if sort_keys.is_sortable(self.obj, c)]

    def apply_order_by(self, query, order_column, order_direction, aliases_mapping=None,
                       bypass_many_to_many=False, add_pk=False):
        """Sort by a computed column's SQL key; a column that cannot sort leaves the order as is."""
        if not order_column:
            return query
        key = sort_keys.computed(self.obj, order_column)
        if key is not None:
            pk = inspect(self.obj).primary_key[0]
            return query.order_by(*sort_keys.order_clauses(key, order_direction),
                                  pk.desc() if order_direction == "desc" else pk.asc())
        if not sort_keys.is_stored(self.obj, order_column):
            return query
        return super().apply_order_by(query, order_column, order_direction,
                                      aliases_mapping=aliases_mapping,
                                      bypass_many_to_many=bypass_many_to_many, add_pk=add_pk)

    def _eager_options(self, paths=None):
        opts = []
        for path in self.eager if paths is None else paths:
            attr = None
            current = self.obj
            for name in path.split("."):
                rel = getattr(current, name)
                attr = joinedload(rel) if attr is None else attr.joinedload(rel)
                current = rel.property.mapper.class_
            opts.append(attr)
        return opts

    def query(self, filters=None, order_column="", order_direction="", page=None, page_size=None,
              select_columns=None, outer_default_load=False):
        base = self.session.query(self.obj)
        query = self.apply_all(base, filters, order_column, order_direction, page, page_size,
                               select_columns, outer_default_load)
        if self.eager and not select_columns:
            query = query.options(*self._eager_options())
        if page is None and page_size is None:
            # Unpaginated (choices of a filter drop-down, CSV export): the rows are the count.
            rows = query.all()
            return len(rows), rows
        count = self.query_count(base, filters, select_columns)
        return count, query.all()

    def query_count(self, query, filters=None, select_columns=None) -> int:
        """Count at most COUNT_CAP rows: exact for a filtered list, bounded for a huge table.

        A whole table (no filter at all, not even a clerk's warehouses) bigger than the cap is
        counted by PostgreSQL's own estimate, read in the same statement, so the pager reaches
        every page of a million orders without counting them."""
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        limited = inner.with_entities(inspect(self.obj).primary_key[0]).order_by(None) \
            .limit(COUNT_CAP).subquery()
        counted = select(func.count()).select_from(limited).scalar_subquery()
        if self.session.get_bind().dialect.name != "postgresql" or inner.whereclause is not None:
            return self.session.execute(select(counted)).scalar_one()
        estimate = select(func.greatest(func.max(literal_column("reltuples")), 0)) \
            .select_from(table("pg_class")) \
            .where(literal_column("oid") == func.to_regclass(self.obj.__tablename__)) \
            .scalar_subquery()
        exact, estimated = self.session.execute(select(counted, estimate)).one()
        return int(estimated) if exact >= COUNT_CAP and estimated and estimated > exact else exact

    def get_many(self, pks, filters=None) -> list:
        """Load the selected rows of a multi-select action with one IN query (row rules applied)."""
        ids = [int(pk) for pk in pks if str(pk).isdigit()]
        if not ids:
            return []
        pk_col = inspect(self.obj).primary_key[0]
        query = self.apply_filters(self.session.query(self.obj).filter(pk_col.in_(ids)), filters)
        if self.eager:
            query = query.options(*self._eager_options())
        return query.all()

    def _commit(self):
        try:
            self.session.commit()
        except sa_exc.IntegrityError as exc:
            self.session.rollback()
            raise explain_integrity_error(exc) from None
        except sa_exc.SQLAlchemyError:
            self.session.rollback()
            raise

    def add(self, item, commit: bool = True) -> None:
        self.session.add(item)
        if commit:
            self._commit()

    def edit(self, item, commit: bool = True) -> None:
        try:
            self.session.merge(item)
            if commit:
                self._commit()
        except StaleDataError:
            self.session.rollback()
            from app.services.errors import StaleVersion
            raise StaleVersion(self.obj.__name__) from None
        except DomainError:
            self.session.rollback()
            raise

    def delete(self, item, commit: bool = True) -> None:
        try:
            self.session.delete(item)
            if commit:
                self._commit()
        except DomainError:
            self.session.rollback()
            raise
