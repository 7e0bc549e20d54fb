"""Security state changes that an Owner or Admin makes for someone else."""

from allauth.mfa.models import Authenticator
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.db import transaction

from accounts.emails import queue_email
from accounts.models import Account
from accounts.roles import RANK, Role
from audit.models import Action
from audit.services import record_event
from memberships import access
from memberships.models import Membership
from security.exceptions import CannotResetOwnTwoFactor, NotAllowed, NotAMember
from sms.services import clear_two_factor


@transaction.atomic(durable=True)
def reset_two_factor(*, account, membership_id: int, actor) -> int:
    """Remove every second factor (app, security keys, recovery codes, text messages: the
    number must be verified again) of a member and end
    their sessions, so whoever holds their old device or session is out, and the member
    signs in with their password and sets 2FA up again (at once, where it is required).

    Owner/Admin only (`members.reset_2fa`), never for oneself (personal settings do that
    with reauthentication), never for someone above one's own level. Returns how many
    second factors were removed (text messages count as one). With none, nothing changes,
    except that a verified number is un-verified, which is logged (and 0 returned).
    """
    # Locks the Account row like every membership change, so the level compared below is
    # the current one (not a level being changed or a member being revoked right now).
    account = Account.objects.select_for_update(no_key=True).get(pk=account.pk)
    try:
        actor_m = access.require(actor, account, permission="members.reset_2fa")
    except NotAllowed:
        raise NotAllowed("Your level does not allow resetting two-factor authentication.") from None
    target = (
        Membership.objects.select_related("user").filter(account=account, pk=membership_id).first()
    )
    if target is None:
        raise NotAMember("This person is no longer a member of this account.")
    if target.user_id == actor.pk:
        raise CannotResetOwnTwoFactor(
            "You cannot reset your own two-factor authentication here. Use Two-factor "
            "authentication in your personal settings."
        )
    if RANK[Role(target.role)] > RANK[Role(actor_m.role)]:
        raise NotAllowed("You cannot reset the two-factor authentication of the Owner.")
    removed, _ = Authenticator.objects.filter(user=target.user).delete()
    sms = clear_two_factor(
        user=target.user, reason=f"reset by {actor.display_name} in {account.name}"
    )
    removed += sms.turned_off
    if not removed:
        if sms.unverified:
            # No second factor, but a verified number (SMS 2FA off) that must now be
            # verified again: a change the account's log shows, not a silent one.
            record_event(
                account=account,
                actor=actor,
                action=Action.TWO_FACTOR_RESET,
                target_user=target.user,
                old_value="mobile number verified",
                new_value="mobile number to be verified again",
            )
        return 0
    # They must set 2FA up again at their next sign-in, whether or not an account requires it.
    target.user.must_set_up_2fa = True
    target.user.save(update_fields=["must_set_up_2fa"])
    get_usersessions_adapter().end_sessions(UserSession.objects.filter(user=target.user))
    record_event(
        account=account,
        actor=actor,
        action=Action.TWO_FACTOR_RESET,
        target_user=target.user,
        old_value="enabled",
        new_value="not set up",
    )
    queue_email(
        to=target.user.email,
        template="membership_notice",
        context={
            "account_name": account.name,
            "headline": "Your two-factor authentication was reset",
            "lines": [
                f"{actor.display_name} reset your two-factor authentication in {account.name}.",
                "You were signed out everywhere. Sign in with your password and set up "
                "two-factor authentication again in your personal settings.",
                "Until you do, the API keys you created stop working: every request with "
                "them is refused.",
            ],
        },
    )
    return removed
