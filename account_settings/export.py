"""The account export: a ZIP of CSV files, streamed as it is written.

Each table is read with .iterator() and written a few hundred rows at a time into a ZIP that
writes to an unseekable sink (entries use data descriptors), so memory stays flat however
many members or events the account has. Never exported: password hashes, API key secrets or
hashes, invitation tokens.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator

from apikeys.models import ApiKey
from audit.models import ActivityEvent
from billing.documents import INVOICE_CSV_HEADER, invoice_row
from billing.models import Invoice
from invitations.models import Invitation
from memberships.models import Membership

CHUNK_ROWS = 500
ITERATOR_CHUNK = 2000
# Spreadsheets run cells that start with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Sink:
    """A write-only, unseekable file: ZipFile writes into it, the generator drains it."""

    def __init__(self):
        self._chunks: list[bytes] = []
        self._position = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _member_rows(account) -> Iterable[list]:
    memberships = (
        Membership.objects.filter(account=account)
        .select_related("user")
        # Only what is exported: the password hash is never even read.
        .only(
            "role",
            "status",
            "created_at",
            "user__first_name",
            "user__last_name",
            "user__email",
            "user__last_login",
        )
        .order_by("pk")
        .iterator(chunk_size=ITERATOR_CHUNK)
    )
    for m in memberships:
        yield [
            m.user.get_full_name(),
            m.user.email,
            m.get_role_display(),
            m.get_status_display(),
            m.created_at,
            m.user.last_login,
        ]


def _invitation_rows(account) -> Iterable[list]:
    # Pending and not past expiry: the invitations whose links still work. The token's
    # digest is never read.
    invitations = (
        Invitation.objects.pending()
        .filter(account=account)
        .select_related("invited_by")
        .only("email", "role", "created_at", "expires_at", "invited_by__email")
        .order_by("pk")
        .iterator(chunk_size=ITERATOR_CHUNK)
    )
    for invitation in invitations:
        yield [
            invitation.email,
            invitation.get_role_display(),
            getattr(invitation.invited_by, "email", ""),
            invitation.created_at,
            invitation.expires_at,
        ]


def _api_key_rows(account) -> Iterable[list]:
    keys = (
        ApiKey.objects.filter(account=account)
        .select_related("created_by")
        .only("name", "prefix", "created_at", "last_used_at", "created_by__email")
        .order_by("pk")
        .iterator(chunk_size=ITERATOR_CHUNK)
    )
    for key in keys:
        # Name, creator and public prefix only: the secret's hash is never read.
        yield [key.name, key.created_by.email, key.display_prefix, key.created_at, key.last_used_at]


def _invoice_rows(account) -> Iterable[list]:
    invoices = (
        Invoice.objects.filter(account=account).select_related("account").order_by("sequence")
    )
    for invoice in invoices.iterator(chunk_size=ITERATOR_CHUNK):
        yield invoice_row(invoice)


def _activity_rows(account) -> Iterable[list]:
    events = ActivityEvent.objects.filter(account=account).order_by("created_at", "id")
    for event in events.iterator(chunk_size=ITERATOR_CHUNK):
        yield [
            event.created_at,
            event.actor_email,
            event.action,
            event.get_action_display(),
            event.target_label,
            event.old_value,
            event.new_value,
            event.ip_address,
        ]


TABLES = [
    (
        "members.csv",
        ["name", "email", "level", "status", "joined", "last_login"],
        _member_rows,
    ),
    (
        "pending_invitations.csv",
        ["email", "level", "invited_by", "sent", "expires"],
        _invitation_rows,
    ),
    ("api_keys.csv", ["name", "created_by", "prefix", "created", "last_used"], _api_key_rows),
    ("invoices.csv", INVOICE_CSV_HEADER, _invoice_rows),
    (
        "activity_log.csv",
        ["when", "actor", "action", "description", "target", "old_value", "new_value", "ip"],
        _activity_rows,
    ),
]


def stream_export(account) -> Iterator[bytes]:
    """Yield the ZIP file's bytes, a chunk at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, header, rows in TABLES:
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            with archive.open(filename, mode="w") as entry:
                for count, row in enumerate(rows(account), start=1):
                    writer.writerow([cell(value) for value in row])
                    if count % CHUNK_ROWS == 0:
                        entry.write(text.getvalue().encode("utf-8"))
                        text.seek(0)
                        text.truncate()
                        if chunk := sink.drain():
                            yield chunk
                entry.write(text.getvalue().encode("utf-8"))
            if chunk := sink.drain():
                yield chunk
    if chunk := sink.drain():
        yield chunk
