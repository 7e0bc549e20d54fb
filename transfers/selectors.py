"""Reads of ownership transfers that several pages share."""

from django.db.models import Q

from transfers.models import OwnershipTransfer


def pending_transfer(account) -> OwnershipTransfer | None:
    """The account's transfer waiting for an answer (not past its expiry), with both people;
    None when there is none. One query."""
    return (
        OwnershipTransfer.objects.pending()
        .filter(account=account)
        .select_related("from_user", "to_user")
        .first()
    )


def pending_transfer_involving(account, user) -> OwnershipTransfer | None:
    """The account's waiting transfer if `user` offered it or is offered it; one query."""
    if user is None or not user.is_authenticated:
        return None
    return (
        OwnershipTransfer.objects.pending()
        .filter(Q(to_user_id=user.pk) | Q(from_user_id=user.pk), account=account)
        .select_related("from_user", "to_user")
        .first()
    )
