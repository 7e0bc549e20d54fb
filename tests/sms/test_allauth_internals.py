"""The allauth internals that text-message 2FA relies on (README, "Text messages"). allauth
is pinned in uv.lock; when an upgrade renames or reshapes one of these, this file fails with
the name, before any login test fails in a puzzling way."""

import inspect

from allauth.account.adapter import get_adapter


def test_the_sms_stage_sits_right_behind_allauths_mfa_stage():
    stages = get_adapter().get_login_stages()
    assert "allauth.mfa.stages.AuthenticateStage" in stages, "allauth renamed its MFA stage"
    at = stages.index("allauth.mfa.stages.AuthenticateStage")
    assert stages[at + 1] == "sms.stages.AuthenticateStage"


def test_the_stage_api_is_there():
    from allauth.account.stages import LoginStage, LoginStageController
    from allauth.mfa.internal.constants import LoginStageKey
    from allauth.mfa.stages import AuthenticateStage

    from sms.stages import MFA_KEY

    assert LoginStageKey.MFA_AUTHENTICATE.value == MFA_KEY == AuthenticateStage.key
    assert inspect.ismethod(LoginStageController.enter)  # a classmethod (request, stage_key)
    assert list(inspect.signature(LoginStageController.enter).parameters) == [
        "request",
        "stage_key",
    ]
    for name in ("exit", "handle", "abort"):
        assert callable(getattr(LoginStage, name, None)), f"LoginStage.{name} is gone"
    for name in ("get_stage", "state"):
        assert name in dir(LoginStageController) or name in inspect.getsource(
            LoginStageController.__init__
        ), f"LoginStageController.{name} is gone"
    # sms.stages reads whether the app was asked for from the MFA stage's own state.
    assert '"authentication_required"' in inspect.getsource(AuthenticateStage.handle)


def test_recording_and_reading_authentications_is_there():
    from allauth.account.authentication import get_authentication_records
    from allauth.account.internal.flows.login import record_authentication

    assert list(inspect.signature(record_authentication).parameters) == [
        "request",
        "user",
        "method",
        "extra_data",
    ]
    assert list(inspect.signature(get_authentication_records).parameters) == ["request", "user"]
    # What allauth's MFA forms record, and what sms.session reads as an app, key or code.
    from allauth.mfa.base.internal.flows import post_authentication

    source = inspect.getsource(post_authentication)
    assert '"mfa"' in source and '"type": authenticator.type' in source
