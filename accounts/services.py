"""State changes for users and accounts."""

from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from accounts.models import Account
from accounts.plans import PlanCode
from memberships.models import Membership
from memberships.roles import Role


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "account"
    slug = base
    while Account.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(5, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


@transaction.atomic
def create_account(*, owner, name: str, plan: str = PlanCode.FREE) -> Account:
    """Create an account with `owner` as its one Owner. The slug is unique and never changes."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    name=name.strip(), slug=_unique_slug(name), plan=plan
                )
                break
        except IntegrityError:  # two sign-ups raced for the same slug: pick another
            continue
    else:
        raise IntegrityError("Could not find a free slug for this account.")
    Membership.objects.create(user=owner, account=account, role=Role.OWNER)
    return account


def update_profile(*, user, first_name: str, last_name: str, mobile: str, time_zone: str):
    user.first_name = first_name
    user.last_name = last_name
    user.mobile = mobile
    user.time_zone = time_zone
    user.save(update_fields=["first_name", "last_name", "mobile", "time_zone"])
    return user
