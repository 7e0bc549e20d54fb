"""Text-message codes as a login stage, behind allauth's MFA stage.

- A person with SMS 2FA and no app or key: after the password, a code is sent and asked for.
- A person with an app or a key as well: allauth's page asks for those first and offers
  "Text me a code instead" (sms.views.UseTextMessageView), which marks this stage chosen.
- Nobody is logged in before the code is right: allauth keeps the login stashed in the
  session until every stage has exited.
"""

from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from sms.selectors import has_sms_two_factor
from sms.services import new_attempt_id

KEY = "sms_authenticate"
MFA_KEY = "mfa_authenticate"


class AuthenticateStage(LoginStage):
    key = KEY
    urlname = "sms_authenticate"

    def handle(self):
        user = self.login.user
        if user is None:
            return None, True
        chosen = self.state.get("chosen", False)
        mfa_state = self.controller.state.get(MFA_KEY, {}).get("data", {})
        if mfa_state.get("authentication_required") and not chosen:
            return None, True  # the app or key already answered
        if not has_sms_two_factor(user):
            if chosen:  # allauth's stage was skipped for SMS, which is gone now: start over
                return headed_redirect_response("account_login"), False
            return None, True
        # The login attempt the codes are bound to (a code sent for another attempt,
        # even the same person's in another browser, does not work here).
        self.state.setdefault("attempt", new_attempt_id())
        return headed_redirect_response("sms_authenticate"), True
