"""Model instances from hand-written SQL, for the few reads on every request's path.

`columns(connection, Model, "alias")` gives the model's concrete columns as SQL
(`alias."column", ...`) and turns a row of them into an instance the way the ORM does
(`from_db`, with the backend's and fields' converters: SQLite returns datetimes as text).
Used where `make bench` showed the ORM's per-request Python outweighing the query itself.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Columns:
    sql: str
    names: tuple[str, ...]
    converters: tuple  # (position, expression, [(function, takes ops), ...]) as the ORM

    def instance(self, model, connection, values):
        if self.converters:
            values, ops = list(values), connection.ops
            for position, expression, functions in self.converters:
                for function, takes_ops in functions:
                    if takes_ops:
                        values[position] = function(ops, values[position], expression, connection)
                    else:
                        values[position] = function(values[position], expression, connection)
        return model.from_db(connection.alias, self.names, values)


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
        )
    return _CACHE[key]
