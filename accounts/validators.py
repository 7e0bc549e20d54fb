"""Password, phone and name validation."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_RULES = [
    (re.compile(r"[a-z]"), "password_no_lower", _("at least one lowercase letter (a-z)")),
    (re.compile(r"[A-Z]"), "password_no_upper", _("at least one uppercase letter (A-Z)")),
    (re.compile(r"[0-9]"), "password_no_digit", _("at least one digit (0-9)")),
    (
        re.compile(r"[^A-Za-z0-9]"),
        "password_no_special",
        _("at least one special character, such as ! ? # or %"),
    ),
]


class CharacterClassValidator:
    """One error per missing character class, so the person sees every rule they broke."""

    def validate(self, password, user=None):
        errors = [
            ValidationError(
                _("This password must contain %(rule)s."), code=code, params={"rule": rule}
            )
            for pattern, code, rule in _RULES
            if not pattern.search(password or "")
        ]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        rules = ", ".join(rule for _pattern, _code, rule in _RULES)
        return _("Your password must contain %(rules)s.") % {"rules": rules}


# Unicode category Cc, exactly: C0 (U+0000-U+001F), DEL (U+007F) and C1 (U+0080-U+009F).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def validate_no_control_characters(value: str) -> None:
    """Refuse a name holding a control character (line breaks, tabs, NUL, escape codes...).

    A name is one line shown in pages, emails, exports and invoices; a line break or an
    escape code in it breaks those, and NUL cannot even be stored by PostgreSQL. The form
    refuses it next to the field rather than silently dropping it. Used on form fields only:
    names already stored are left as they are.
    """
    if value and _CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Remove control characters (such as line breaks or tabs) from the name."),
            code="control_characters",
        )


def normalize_mobile(value: str) -> str:
    """Return the number in E.164 (+34612345678) or raise ValidationError."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a mobile number with its country code, such as +34 612 345 678."),
            code="invalid_mobile",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This is not a valid phone number. Include the country code, such as +1."),
            code="invalid_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_e164(value: str) -> None:
    if value and normalize_mobile(value) != value:
        raise ValidationError(_("Store mobile numbers in E.164 form."), code="not_e164")
