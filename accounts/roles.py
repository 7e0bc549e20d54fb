"""The five levels of membership, highest first. Pure data: no models, no queries."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AUTHOR = "author", "Author"
    VIEWER = "viewer", "Viewer"


# Highest first; a larger rank outranks a smaller one.
ROLES_HIGHEST_FIRST = [Role.OWNER, Role.ADMIN, Role.MANAGER, Role.AUTHOR, Role.VIEWER]
RANK = {role: len(ROLES_HIGHEST_FIRST) - i for i, role in enumerate(ROLES_HIGHEST_FIRST)}


def outranks_or_equals(role: str, other: str) -> bool:
    return RANK[Role(role)] >= RANK[Role(other)]


def label(role: str) -> str:
    return Role(role).label
