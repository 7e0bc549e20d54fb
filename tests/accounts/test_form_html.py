"""accounts/templatetags/form_html.py: `{% select_options %}` renders what the template loop
rendered (escaped values and labels, the current value selected)."""

from django import forms
from django.template import Context, Template


class ChoiceForm(forms.Form):
    kind = forms.ChoiceField(
        required=False, choices=[("", "All"), ("a&b", "A & B"), ("<x>", '"X"')]
    )


def options(form) -> str:
    template = Template("{% load form_html %}{% select_options form.kind %}")
    return template.render(Context({"form": form}))


def test_values_and_labels_are_escaped_and_the_submitted_value_is_selected():
    html = options(ChoiceForm({"kind": "a&b"}))

    assert html == (
        '<option value="">All</option>'
        '<option value="a&amp;b" selected>A &amp; B</option>'
        '<option value="&lt;x&gt;">&quot;X&quot;</option>'
    )


def test_an_unbound_form_selects_nothing_and_an_unknown_value_selects_nothing():
    assert "selected" not in options(ChoiceForm())
    assert "selected" not in options(ChoiceForm({"kind": "other"}))


def test_the_users_page_filter_keeps_the_chosen_level_and_status(account, members, client_for):
    client = client_for(members["admin"].user)
    response = client.get(f"/a/{account.slug}/users/?level=viewer&status=suspended")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="viewer" selected>Viewer</option>' in html
    assert '<option value="suspended" selected>Suspended</option>' in html
    assert html.count(" selected>") == 2
