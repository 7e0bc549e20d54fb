"""Every change to invitations: invite, resend, cancel, accept, decline, expire, remind.

Public services are one durable transaction each (cancel_invitations_sent_by, a step of
revoking or leaving, runs inside its caller's). Those that could exceed a limit (the daily
cap, seats) or race with an accept lock the Account row first, so two requests on one
account run one after the other. Emails leave through the task queue on commit only.

Import them from here; which file holds what:

- inviting.py: invite_users and its checks (level, addresses, daily cap).
- lifecycle.py: resend_invitation, cancel_invitation, cancel_invitations_sent_by,
  cancel_invitations_to, expire_invitations, send_invitation_reminders.
- accepting.py: accept_invitation, accept_invitation_with_signup, decline_invitation
  (and Acceptance, what an accept returns).
- csv_inviting.py: preview_csv_invites and invite_csv_rows (a CSV file's rows, previewed
  row by row, then sent exactly as shown).
- _common.py: what two or more of them use: the Account and invitation locks, the access
  gate for the person inviting, the activity row, the queued email, the expiry sweep and the
  seat check (invite and resend both take seats).
"""

from invitations.services._common import CAP_WINDOW
from invitations.services.accepting import (
    Acceptance,
    accept_invitation,
    accept_invitation_with_signup,
    decline_invitation,
)
from invitations.services.csv_inviting import (
    CsvPreviewChanged,
    Outcome,
    RowResult,
    invite_csv_rows,
    preview_csv_invites,
)
from invitations.services.inviting import BATCH_MAX, MESSAGE_MAX_LENGTH, invite_users
from invitations.services.lifecycle import (
    cancel_invitation,
    cancel_invitations_sent_by,
    cancel_invitations_to,
    expire_invitations,
    resend_invitation,
    send_invitation_reminders,
)

__all__ = [
    "BATCH_MAX",
    "CAP_WINDOW",
    "MESSAGE_MAX_LENGTH",
    "Acceptance",
    "CsvPreviewChanged",
    "Outcome",
    "RowResult",
    "accept_invitation",
    "accept_invitation_with_signup",
    "cancel_invitation",
    "cancel_invitations_sent_by",
    "cancel_invitations_to",
    "decline_invitation",
    "expire_invitations",
    "invite_csv_rows",
    "invite_users",
    "preview_csv_invites",
    "resend_invitation",
    "send_invitation_reminders",
]
