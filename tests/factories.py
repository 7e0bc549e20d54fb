"""factory-boy factories for every model. Tests build their data only through these."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Account, User
from audit.models import ActivityEvent
from memberships.models import Membership

TEST_PASSWORD = "Correct-Horse-42!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    time_zone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    plan = "premium"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = "viewer"
    status = "active"


class ActivityEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityEvent

    account = factory.SubFactory(AccountFactory)
    actor = factory.SubFactory(UserFactory)
    actor_email = factory.LazyAttribute(lambda o: o.actor.email if o.actor else "")
    action = "member.level_changed"
    target_label = "someone@example.test"
    created_at = factory.LazyFunction(timezone.now)


# --- security: API key factories ---
from apikeys import secrets as _apikey_secrets  # noqa: E402
from apikeys.models import ApiKey  # noqa: E402


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """`ApiKeyFactory(account=..., created_by=...)`; the plain key is on `.raw_key`
    (set only on the instance the factory returns)."""

    class Meta:
        model = ApiKey

    account = factory.SubFactory(AccountFactory)
    created_by = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Integration {n}")
    prefix = factory.LazyFunction(_apikey_secrets.new_prefix)
    secret_hash = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        secret = _apikey_secrets.new_secret()
        kwargs["secret_hash"] = _apikey_secrets.hash_secret(secret)
        key = super()._create(model_class, *args, **kwargs)
        key.raw_key = _apikey_secrets.format_key(key.prefix, secret)
        return key


# --- billing and account settings factories ---
import datetime  # noqa: E402

from billing.models import BillingAddress, Invoice  # noqa: E402
from memberships.models import NotificationPreference  # noqa: E402


class BillingAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingAddress

    account = factory.SubFactory(AccountFactory)
    contact_name = factory.Faker("name")
    company = factory.LazyAttribute(lambda o: o.account.name)
    address_line1 = "1 Main Street"
    postal_code = "28013"
    city = "Madrid"
    country = "ES"
    tax_id = "ESB12345678"
    billing_email = factory.Sequence(lambda n: f"billing{n}@example.test")


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    account = factory.SubFactory(AccountFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"R{o.account.pk:05d}-{o.sequence:04d}")
    period_start = factory.LazyFunction(lambda: timezone.localdate())
    period_end = factory.LazyAttribute(lambda o: o.period_start + datetime.timedelta(days=30))
    plan = "standard"
    amount_cents = 2000
    currency = "USD"
    status = "open"
    bill_to = factory.LazyAttribute(lambda o: o.account.name)


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    membership = factory.SubFactory(MembershipFactory, role="admin")
    on_joined = True
    on_left = True
    on_level_changed = True


# --- invitations factories ---
from datetime import timedelta as _timedelta  # noqa: E402

from invitations.models import Invitation  # noqa: E402
from invitations.tokens import make_token  # noqa: E402


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending, delivered invitation; `.raw_token` holds its link's token (never stored)."""

    class Meta:
        model = Invitation

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    role = "viewer"
    invited_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + _timedelta(days=7))
    status = "pending"
    delivery_status = "sent"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        raw, digest = make_token()
        kwargs.setdefault("token_hash", digest)
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.raw_token = raw
        return invitation
