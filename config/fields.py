"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class InRangeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses, as an invalid choice, an id no row can have
    because it does not fit the key's database column (`?member=99999999999999999999999`).

    Django's `pk=<id>` lookup already finds no row for such an id, but this field then
    fetches the choices with `pk__in=[...]`, which sends the number to the database: SQLite
    raises OverflowError (a 500) where PostgreSQL finds nothing. The range is the one Django
    validates integer model fields with (their column's range on the project's database), so
    both databases give the same form error.
    """

    def clean(self, value):
        if isinstance(value, list | tuple):
            for item in value:
                if not self._fits_key(item):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        return super().clean(value)

    def _fits_key(self, value) -> bool:
        meta = self.queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if not isinstance(key, models.IntegerField):
            return True
        try:
            number = key.to_python(value)
        except ValidationError:
            return True  # not a number at all: Django's own check names it
        try:
            key.run_validators(number)  # an integer field's validators hold its column's range
        except ValidationError:
            return False
        return True
