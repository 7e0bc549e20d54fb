"""Request and response shapes of the JSON API. The OpenAPI document is generated from these
same classes, so the document and the behaviour cannot drift apart."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator

from accounts.roles import ROLES_HIGHEST_FIRST, Role

# Ids are 64-bit database keys; larger numbers are refused by validation, not the database.
MAX_ID = 2**63 - 1


class Page(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_ID)


class Error(Schema):
    code: str = Field(description="Stable, machine-readable reason, e.g. `not_allowed`.")
    message: str = Field(description="The reason in words a person can read.")


class ValidationErrorOut(Error):
    errors: list[dict] = Field(default_factory=list, description="One entry per invalid field.")


GrantableLevel = StrEnum(
    "GrantableLevel", {r.name: r.value for r in ROLES_HIGHEST_FIRST if r != Role.OWNER}
)
Level = StrEnum("Level", {r.name: r.value for r in ROLES_HIGHEST_FIRST})


class Member(Schema):
    id: int = Field(description="The membership id (use it in /members/{id}).")
    email: str
    first_name: str
    last_name: str
    level: Level
    status: str = Field(description="`active` or `suspended`.")
    two_factor_enabled: bool
    joined_at: datetime
    access_until: datetime | None = Field(
        None,
        description="When the member's access ends (set on the Users page; read-only here), "
        "or null for no end date.",
    )


class MemberList(Schema):
    count: int
    items: list[Member]


class LevelChange(Schema):
    level: GrantableLevel


class Invitation(Schema):
    id: int
    email: str
    level: GrantableLevel
    status: str = Field(description="`pending`, `accepted`, `declined`, `cancelled` or `expired`.")
    invited_by: str | None = Field(description="Email of the person who invited, if known.")
    created_at: datetime
    expires_at: datetime


class InvitationList(Schema):
    count: int
    items: list[Invitation]


def _no_null_characters(value: str) -> str:
    # PostgreSQL cannot store NUL in a text column; the Invite form refuses it the same way.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    return value


class InvitationCreate(Schema):
    emails: list[str] = Field(min_length=1, max_length=50)
    level: GrantableLevel
    message: Annotated[str, AfterValidator(_no_null_characters)] = Field("", max_length=1000)
