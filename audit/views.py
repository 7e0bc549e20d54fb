from django import forms
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from audit.models import Action
from audit.selectors import activity_page
from memberships.mixins import PermissionRequiredMixin


class ActivityFilterForm(forms.Form):
    person = forms.CharField(label="Person (email)", required=False, max_length=254)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "All actions"), *Action.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ActivityView(PermissionRequiredMixin, TemplateView):
    permission = "activity.view"
    template_name = "audit/activity.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ActivityFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        events = activity_page(
            self.account, person=filters.get("person", ""), action=filters.get("action", "")
        )
        page = Paginator(events, 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=form, page_obj=page, filter_query=query.urlencode())
        return context
