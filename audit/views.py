import csv
import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from audit.models import Action
from audit.selectors import activity_page
from memberships.mixins import PermissionRequiredMixin

# Dates a person may type: outside them the day's bounds in some time zones overflow.
EARLIEST_DAY = datetime.date(1970, 1, 1)
LATEST_DAY = datetime.date(9998, 12, 31)
# Spreadsheets run cells that start with these as formulas (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date", "class": "form-control"})
    default_error_messages = {"invalid": "Enter a date, for example 2026-03-31."}

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise ValidationError(
                f"Enter a date between {EARLIEST_DAY:%-d %b %Y} and {LATEST_DAY:%-d %b %Y}.",
                code="out_of_range",
            )


class ActivityFilterForm(forms.Form):
    person = forms.CharField(label="Person (email)", required=False, max_length=254)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "All actions"), *Action.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = DayField(label="From", required=False)
    date_to = DayField(label="To", required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                ValidationError("The end date must be on or after the start date.", code="order"),
            )
        return cleaned


def _filtered_events(request, account):
    """(form, events): events is None when the filter has errors (nothing is listed then)."""
    form = ActivityFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, None
    filters = form.cleaned_data if form.is_bound else {}
    events = activity_page(
        account,
        person=filters.get("person", ""),
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return form, events


class ActivityView(PermissionRequiredMixin, TemplateView):
    permission = "activity.view"
    template_name = "audit/activity.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, events = _filtered_events(self.request, self.account)
        page = Paginator(events if events is not None else [], 50).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filter_form=form, page_obj=page, filter_query=query.urlencode())
        return context


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


CSV_HEADER = [
    "when",
    "actor_name",
    "actor_email",
    "acting_as",
    "action",
    "description",
    "target_name",
    "target",
    "old_value",
    "new_value",
    "ip",
]


def _csv_lines(events, tz):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=2000):
        row = [
            timezone.localtime(event.created_at, tz).isoformat(),
            event.actor_name,
            event.actor_email,
            event.actor_label,
            event.action,
            event.get_action_display(),
            event.target_name,
            event.target_label,
            event.old_value,
            event.new_value,
            event.ip_address,
        ]
        yield writer.writerow([_cell(value) for value in row])


class ActivityExportView(PermissionRequiredMixin, View):
    """The rows of the activity log's current filter as CSV, streamed (flat memory)."""

    permission = "activity.view"
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        _form, events = _filtered_events(request, self.account)
        if events is None:
            return HttpResponseBadRequest(
                "The filter has errors; correct them on the activity log page.",
                content_type="text/plain; charset=utf-8",
            )
        # The rows are written after this view returns: take the viewer's time zone now.
        lines = _csv_lines(events, timezone.get_current_timezone())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        filename = f"activity-{self.account.slug}-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
