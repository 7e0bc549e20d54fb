"""Model instances from hand-written SQL, for the few reads on every request's path.

`columns(connection, Model, "alias")` gives the model's concrete columns as SQL
(`alias."column", ...`) and turns a row of them into an instance the way the ORM does
(`from_db`, with the backend's and fields' converters: SQLite returns datetimes as text).
Used where `make bench` showed the ORM's per-request Python outweighing the query itself.

An instance is built as `Model.from_db` would build it, but without running `Model.__init__`
(a fifth of the cost): its values go straight into `__dict__`, which is what `__init__` ends
up doing for fields whose descriptors are Django's plain (`DeferredAttribute`) or foreign-key
ones, provided nothing listens to `pre_init` / `post_init`. Anything else (a field with its
own descriptor, a signal receiver anywhere) takes `from_db`. tests/config/test_sql.py holds
both paths to the instance the ORM returns.

`cursor(connection, prepare=True)` runs such a read as a prepared statement on PostgreSQL
(planned once per connection, with a generic plan: settings DB_PREPARED_STATEMENTS), and as
Django's own cursor anywhere else. Only statements whose one plan suits every account go
through it: not searches (a trigram match wants the pattern's own plan) nor deep pages.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute


@dataclass(frozen=True)
class Columns:
    sql: str
    names: tuple[str, ...]
    converters: tuple  # (position, expression, [(function, takes ops), ...]) as the ORM
    plain: bool  # every field's descriptor is Django's own: __dict__ may be filled directly

    def instance(self, model, connection, values):
        if self.converters:
            values, ops = list(values), connection.ops
            for position, expression, functions in self.converters:
                for function, takes_ops in functions:
                    if takes_ops:
                        values[position] = function(ops, values[position], expression, connection)
                    else:
                        values[position] = function(values[position], expression, connection)
        if not self.plain or signals.pre_init.receivers or signals.post_init.receivers:
            return model.from_db(connection.alias, self.names, values)
        obj = model.__new__(model)
        obj.__dict__.update(zip(self.names, values, strict=True))
        state = obj._state = ModelState()
        state.adding, state.db = False, connection.alias
        return obj


@contextmanager
def cursor(connection, *, prepare: bool):
    """A cursor of `connection`, as `connection.cursor()`; with `prepare` on PostgreSQL (when
    the settings allow prepared statements), one whose statements are prepared on first use
    and reused for the rest of the connection. Queries still pass through Django's cursor
    wrapper: they are logged, counted by the query-count tests and seen by execute_wrappers."""
    if prepare and connection.vendor == "postgresql":
        connection.ensure_connection()
        # None: DB_PREPARED_STATEMENTS=0 (psycopg then prepares nothing).
        prepare = connection.connection.prepare_threshold is not None
    else:
        prepare = False
    if not prepare:
        with connection.cursor() as plain:
            yield plain
        return
    connection.validate_thread_sharing()
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(_preparing_cursor_class()(connection.connection)) as prepared:
        yield prepared


@cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Binds parameters server-side (only such a statement can be prepared) and prepares
        every statement it runs."""

        def execute(self, query, params=None, **kwargs):
            kwargs.setdefault("prepare", True)
            return super().execute(query, params, **kwargs)

    return PreparingCursor


_CACHE: dict = {}


def columns(connection, model, alias: str, only: tuple[str, ...] = ()) -> Columns:
    """Every concrete field of `model`, or `only` these (the others are deferred, as with
    QuerySet.only(): reading one costs a query, so name every field the page reads)."""
    key = (connection.alias, connection.vendor, model, alias, only)
    if key not in _CACHE:
        fields = model._meta.concrete_fields
        if only:
            fields = [field for field in fields if field.name in only]
            if len(fields) != len(only):
                raise ValueError(f"{model.__name__} has no field among some of {only}")
        converters = []
        for position, field in enumerate(fields):
            expression = field.get_col(alias)
            # The backend's converters are methods of one thread's `connection.ops`: keep
            # the functions and call them with the calling thread's (Columns.instance).
            functions = [
                (method.__func__, True)
                if getattr(method, "__self__", None) is connection.ops
                else (method, False)
                for method in connection.ops.get_db_converters(expression)
            ]
            functions += [(function, False) for function in field.get_db_converters(connection)]
            if functions:
                converters.append((position, expression, functions))
        quote = connection.ops.quote_name
        _CACHE[key] = Columns(
            sql=", ".join(f"{alias}.{quote(field.column)}" for field in fields),
            names=tuple(field.attname for field in fields),
            converters=tuple(converters),
            plain=all(
                type(model.__dict__.get(field.attname))
                in (DeferredAttribute, ForeignKeyDeferredAttribute)
                for field in model._meta.concrete_fields
            ),
        )
    return _CACHE[key]
