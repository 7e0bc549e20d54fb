"""Reading a CSV file of people to invite: the file's rules, then each row's own.

The file: UTF-8 (with or without the byte order mark Excel writes), a header row naming the
columns (email, first name, last name, level, access until; any order, any case; email is
required, the rest may be left out), comma- or semicolon-separated (told from the header
line, which holds no other separator), at most CSV_INVITE_MAX_ROWS rows and
CSV_INVITE_MAX_BYTES bytes. A file that breaks one of these is refused whole with a
`CsvFileError` saying what to fix; a row that breaks its own rules (an address that is not
one, an unknown level, a date in the past) is kept with its `error`, for the preview table.

No database here: whether a row can be sent (member, invited, level, seats, daily cap) is
decided by invitations.services.csv_inviting under the account's lock.
"""

import csv
import datetime
import io
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import normalize_email
from accounts.roles import Role
from accounts.validators import validate_no_control_characters
from memberships.access_until import check_date

COLUMNS = {
    "email": "email",
    "email address": "email",
    "first name": "first_name",
    "last name": "last_name",
    "level": "level",
    "access until": "access_until",
}
EXPECTED_HEADER = "email, first name, last name, level, access until"
NAME_MAX_LENGTH = 150
LEVELS = {role.value: role.value for role in Role} | {
    str(role.label).lower(): role.value for role in Role
}


class CsvFileError(Exception):
    """The file as a whole cannot be read; `str(error)` tells the person what to fix."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # the row's line in the file (the header is line 1)
    email: str
    first_name: str = ""
    last_name: str = ""
    level: str = Role.VIEWER  # a Role value ("" when the cell was not one)
    access_until: str = ""  # ISO 8601, aware; "" for none
    error: str = ""  # why the row cannot be sent whatever the account's state

    @property
    def access_until_moment(self) -> datetime.datetime | None:
        return datetime.datetime.fromisoformat(self.access_until) if self.access_until else None

    def as_dict(self) -> dict:
        """JSON-ready, for the session between the preview and the confirmation."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "CsvRow":
        return cls(**{field: data[field] for field in cls.__dataclass_fields__})


def _text(data: bytes) -> str:
    if b"\x00" in data:
        raise CsvFileError("This is not a CSV file (it holds binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
        ) from None


def _delimiter(header_line: str) -> str:
    # The header holds only column names, so whichever separator it has is the file's.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _columns(header: list[str]) -> list[str]:
    names = [" ".join(cell.strip().lower().replace("_", " ").split()) for cell in header]
    unknown = [name for name in names if name and name not in COLUMNS]
    fields = [COLUMNS.get(name, "") for name in names]
    named = [field for field in fields if field]
    if unknown or "email" not in named or len(set(named)) != len(named):
        raise CsvFileError(
            f"The first row must name the columns: {EXPECTED_HEADER} (email is required). "
            f"This file's first row is: {', '.join(cell.strip() for cell in header)[:200]}."
        )
    return fields


def read_csv(data: bytes, *, zone=None, now=None) -> list[CsvRow]:
    """The file's rows (blank lines skipped), or CsvFileError. Dates are read in `zone`
    (the active time zone by default) as the end of that day."""
    if len(data) > settings.CSV_INVITE_MAX_BYTES:
        raise CsvFileError(
            f"The file is larger than {settings.CSV_INVITE_MAX_BYTES // 1024} KB: "
            f"split it (at most {settings.CSV_INVITE_MAX_ROWS} rows a file)."
        )
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise CsvFileError(f"The file is empty: its first row must be {EXPECTED_HEADER}.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    rows = []
    try:
        fields = _columns(next(reader))
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == settings.CSV_INVITE_MAX_ROWS:
                raise CsvFileError(
                    f"The file has more than {settings.CSV_INVITE_MAX_ROWS} rows: "
                    "split it into smaller files."
                )
            rows.append(_row(reader.line_num, fields, cells, zone=zone, now=now))
    except csv.Error as error:
        raise CsvFileError(
            f"This is not a readable CSV file (line {reader.line_num}: {error})."
        ) from None
    if not rows:
        raise CsvFileError("The file has a header row but nobody to invite.")
    return rows


def _row(line: int, fields: list[str], cells: list[str], *, zone, now) -> CsvRow:
    values = {field: "" for field in COLUMNS.values()}
    for field, cell in zip(fields, cells, strict=False):
        if field:
            values[field] = cell.strip()
    email = normalize_email(values["email"])
    errors = []
    if len(cells) > len(fields) and any(cell.strip() for cell in cells[len(fields) :]):
        errors.append("more cells than the header names")
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        errors.append("not a valid email address" if email else "no email address")
    names = {}
    for field in ("first_name", "last_name"):
        value = values[field]
        label = field.replace("_", " ")
        try:
            validate_no_control_characters(value)
        except ValidationError:
            errors.append(f"the {label} holds control characters")
            value = ""
        if len(value) > NAME_MAX_LENGTH:
            errors.append(f"the {label} is longer than {NAME_MAX_LENGTH} characters")
            value = value[:NAME_MAX_LENGTH]
        names[field] = value
    level = Role.VIEWER
    if values["level"]:
        level = LEVELS.get(values["level"].lower(), "")
        if not level:
            errors.append(
                f"unknown level “{values['level'][:40]}” (use Admin, Manager, Author or Viewer)"
            )
    access_until = ""
    if values["access_until"]:
        try:
            day = datetime.date.fromisoformat(values["access_until"])
        except ValueError:
            errors.append(
                f"“{values['access_until'][:40]}” is not a date written YYYY-MM-DD (access until)"
            )
        else:
            try:
                access_until = check_date(day, zone=zone, now=now).isoformat()
            except ValidationError as error:
                errors.append(f"access until: {error.messages[0]}")
    return CsvRow(
        line=line,
        email=email[:254],
        level=level,
        access_until=access_until,
        error="; ".join(errors),
        **names,
    )
