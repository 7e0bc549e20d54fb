"""Creating an account: the account and its one Owner membership, together."""

from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from accounts.models import Account
from accounts.plans import PlanCode
from accounts.roles import Role
from memberships.models import Membership


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
