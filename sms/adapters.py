"""allauth's account adapter (accounts.adapters) plus text-message 2FA.

allauth assembles the login from "stages" that its adapter lists (`get_login_stages`): after
the password, `allauth.mfa.stages.AuthenticateStage` asks for an app code or a security key.
SMS joins as one more stage right behind it (sms.stages), so the password step, the
"half logged in" state, the rate limits and the final login all stay allauth's. allauth
documents no setting for extra stages; this adapter method is the one it uses itself.
Re-authentication offers SMS through the documented `get_reauthentication_methods`.
"""

from django.urls import reverse

from accounts.adapters import AccountAdapter as BaseAccountAdapter
from sms.selectors import sms_offered

MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"
SMS_STAGE = "sms.stages.AuthenticateStage"


class AccountAdapter(BaseAccountAdapter):
    def get_login_stages(self) -> list[str]:
        stages = list(super().get_login_stages())
        # Right behind allauth's MFA stage (whose state tells whether an app already answered).
        at = stages.index(MFA_STAGE) + 1 if MFA_STAGE in stages else len(stages)
        stages.insert(at, SMS_STAGE)
        return stages

    def get_reauthentication_methods(self, user) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and sms_offered(user):
            methods.append(
                {
                    "id": "sms_reauthenticate",
                    "description": "Use a code sent by text message",
                    "url": reverse("sms_reauthenticate"),
                }
            )
        return methods
