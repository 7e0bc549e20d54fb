"""The page shell built in Python (accounts/templatetags/shell.py): the account switcher,
the user menu and the sidebar, read from the outside as a browser gets them."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def overview(slug):
    return reverse("overview", kwargs={"slug": slug})


def test_switcher_lists_open_accounts_marks_the_current_one_and_escapes_names(client_for):
    user = UserFactory(first_name="<i>Ann</i>", last_name="")
    here = MembershipFactory(user=user, role="admin", account=AccountFactory(name="A & <b>"))
    there = MembershipFactory(user=user, role="viewer", account=AccountFactory(name="Zeta"))
    closed = MembershipFactory(user=user, account=AccountFactory(name="Gone"))
    closed.account.closed_at = closed.created_at
    closed.account.save()

    response = client_for(user).get(overview(here.account.slug))

    assertContains(
        response,
        f"""<ul class="dropdown-menu dropdown-menu-end" aria-labelledby="account-switcher">
          <li><a class="dropdown-item active" href="{overview(here.account.slug)}"
                 aria-current="true">A &amp; &lt;b&gt;
              <span class="text-body-secondary small">Admin</span></a></li>
          <li><a class="dropdown-item" href="{overview(there.account.slug)}">Zeta
              <span class="text-body-secondary small">Viewer</span></a></li>
          <li><hr class="dropdown-divider"></li>
          <li><a class="dropdown-item" href="{reverse("account_chooser")}">All accounts</a></li>
        </ul>""",
        html=True,
    )
    assertContains(response, "Current account: </span>A &amp; &lt;b&gt;</button>")
    assertContains(response, "User menu for </span>&lt;i&gt;Ann&lt;/i&gt;</button>")
    assertNotContains(response, "Gone")
    assertNotContains(response, "<b>")


def test_user_menu_offers_leave_inside_an_account_only(client_for):
    membership = MembershipFactory(role="author")
    client = client_for(membership.user)
    leave = reverse("people:leave", kwargs={"slug": membership.account.slug})
    items = [
        ("profile", "Personal settings"),
        ("account_change_password", "Change password"),
        ("mfa_index", "Two-factor authentication"),
        ("usersessions_list", "Sessions"),
        ("account_create", "Create an account"),
    ]
    menu = "".join(
        f'<li><a class="dropdown-item" href="{reverse(name)}">{label}</a></li>'
        for name, label in items
    )
    end = (
        '<li><hr class="dropdown-divider"></li>'
        f'<li><a class="dropdown-item" href="{reverse("account_logout")}">Sign out</a></li></ul>'
    )
    start = '<ul class="dropdown-menu dropdown-menu-end" aria-labelledby="user-menu">'

    inside = client.get(overview(membership.account.slug))
    leave_item = (
        f'<li><a class="dropdown-item" href="{leave}">Leave {membership.account.name}</a></li>'
    )
    assertContains(inside, start + menu + leave_item + end, html=True)

    outside = client.get(reverse("profile"))
    assertContains(outside, start + menu + end, html=True)
    assertNotContains(outside, 'class="col-md-3 col-lg-2 border-end py-3 sidebar"')


def test_sidebar_groups_sections_and_marks_the_current_page(client_for, account, members):
    url = reverse("people:users", kwargs={"slug": account.slug})
    response = client_for(members["admin"].user).get(url)

    assertContains(
        response,
        f'<nav class="col-md-3 col-lg-2 border-end py-3 sidebar"'
        f' aria-label="{account.name} sections">',
    )
    heading = '<li class="nav-item mt-3 px-2 small text-uppercase text-body-secondary"'
    assertContains(response, f'{heading} aria-hidden="true">Admin</li>', count=1)
    assertContains(response, f'{heading} aria-hidden="true">Help</li>', count=1)
    assertContains(
        response,
        f'<li class="nav-item"><a class="nav-link active" href="{url}" aria-current="page">'
        '<span class="visually-hidden">Admin: </span>Users</a></li>',
        html=True,
    )
    assertContains(response, 'aria-current="page"', count=1 + 1)  # the sidebar and breadcrumb
    overview_item = f'<a class="nav-link" href="{overview(account.slug)}">Overview</a>'
    assertContains(response, f'<li class="nav-item">{overview_item}</li>', html=True)


def test_signed_out_pages_offer_sign_in_and_sign_up():
    response = Client().get(reverse("account_login"))
    assertContains(
        response,
        f"""<nav class="ms-auto" aria-label="Sign in">
          <a class="btn btn-link" href="{reverse("account_login")}">Sign in</a>
          <a class="btn btn-primary btn-sm" href="{reverse("account_signup")}">Sign up</a>
        </nav>""",
        html=True,
    )
    assertNotContains(response, 'id="user-menu"')


def test_sidebar_folds_behind_a_menu_button_on_small_screens(client_for, account, members):
    response = client_for(members["admin"].user).get(overview(account.slug))

    assertContains(
        response,
        '<nav class="col-md-3 col-lg-2 border-end py-3 sidebar"'
        f' aria-label="{account.name} sections">'
        '<button class="btn btn-outline-secondary btn-sm d-md-none sidebar-toggle" type="button"'
        ' data-bs-toggle="collapse" data-bs-target="#sidebar-sections"'
        ' aria-controls="sidebar-sections" aria-expanded="false">Menu</button>'
        '<div class="collapse d-md-block" id="sidebar-sections">'
        f'<p class="fw-semibold px-2 mb-2">{account.name}</p>',
    )
    # Without JavaScript the sections stay open: the stylesheet that says so, in <noscript>.
    assertContains(response, '<noscript><link rel="stylesheet" href="/static/css/noscript.css">')


def test_signed_in_header_wraps(client_for, account, members):
    response = client_for(members["admin"].user).get(overview(account.slug))

    assertContains(response, '<header class="navbar navbar-expand flex-wrap gap-2')
    assertContains(
        response,
        '<nav class="ms-auto d-flex flex-wrap justify-content-end align-items-center gap-2"',
    )


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        ("people:users", ["Members", "Pending invitations"]),
        ("people:roles", ["What each level may do in Roster for ", "Levels and seats by plan"]),
    ],
)
def test_wide_tables_scroll_in_their_own_labelled_focusable_region(
    client_for, account, members, name, labels
):
    response = client_for(members["owner"].user).get(reverse(name, kwargs={"slug": account.slug}))

    for label in labels:
        if label.endswith(" "):
            label += account.name
        assertContains(
            response,
            f'<div class="table-responsive" tabindex="0" role="region" aria-label="{label}"',
        )
