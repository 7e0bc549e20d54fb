"""SCIM filters (RFC 7644 §3.4.2.2) on Users, turned into one ORM query.

scim2-models parses and checks the filter (ScimFilter[User]); this module walks its tree
and maps the attributes Roster keeps onto Membership fields. An attribute Roster does not
keep is an `invalidFilter` error naming the ones it can filter on, never a silent "match
all". Comparisons on strings are case-insensitive except `externalId` (caseExact).
"""

from django.db.models import Q
from scim2_models import User
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from memberships.models import MembershipStatus
from scim.protocol import BadRequest

SUPPORTED = (
    "id, userName, emails, emails.value, emails.type, externalId, active, name.givenName, "
    "name.familyName"
)
NOTHING = Q(pk__in=[])
_STRING_LOOKUPS = {
    CompareOperator.eq: "iexact",
    CompareOperator.co: "icontains",
    CompareOperator.sw: "istartswith",
    CompareOperator.ew: "iendswith",
}
_EXACT_LOOKUPS = {
    CompareOperator.eq: "exact",
    CompareOperator.co: "contains",
    CompareOperator.sw: "startswith",
    CompareOperator.ew: "endswith",
}


def _refuse(detail: str):
    raise BadRequest(f"{detail} Roster filters on {SUPPORTED}.", scim_type="invalidFilter")


def _name(path: AttrPath) -> str:
    if path.uri and path.uri.lower() != User.__schema__.lower():
        _refuse(f"Unknown schema {path.uri}.")
    return f"{path.attr}.{path.sub_attr}".lower() if path.sub_attr else path.attr.lower()


_STRING_FIELDS = {
    "username": "user__email",
    "emails": "user__email",
    "emails.value": "user__email",
    "name.givenname": "user__first_name",
    "name.familyname": "user__last_name",
}


def users_q(node) -> Q:
    return _walk(node, prefix="")


def _walk(node, *, prefix: str) -> Q:
    if isinstance(node, LogicalExpr):
        terms = [_walk(term, prefix=prefix) for term in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined
    if isinstance(node, Not):
        return ~_walk(node.expr, prefix=prefix)
    if isinstance(node, ValuePath):
        if _name(node.attr_path) != "emails" or node.sub_attr not in (None, "value"):
            _refuse(f"Value filters apply to emails only ({node}).")
        return _walk(node.val_filter, prefix="emails.")
    if isinstance(node, Present):
        name = prefix + _name(node.attr_path)
        if name == "externalid":
            return Q(scim_identity__isnull=False)
        if name in _STRING_FIELDS or name in {"id", "active", "emails.type", "emails.primary"}:
            return Q()
        _refuse(f"Unknown attribute {node.attr_path}.")
    if isinstance(node, Comparison):
        return _compare(prefix + _name(node.attr_path), node.op, node.value)
    _refuse(f"Unsupported filter {node}.")
    return NOTHING  # not reached


def _compare(name: str, op: CompareOperator, value) -> Q:
    negate = op == CompareOperator.ne
    op = CompareOperator.eq if negate else op
    q = _positive(name, op, value)
    return ~q if negate else q


def _positive(name: str, op: CompareOperator, value) -> Q:
    if name in _STRING_FIELDS and op in _STRING_LOOKUPS and isinstance(value, str):
        return Q(**{f"{_STRING_FIELDS[name]}__{_STRING_LOOKUPS[op]}": value})
    if name == "externalid" and op in _EXACT_LOOKUPS and isinstance(value, str):
        return Q(**{f"scim_identity__external_id__{_EXACT_LOOKUPS[op]}": value})
    if name == "active" and op == CompareOperator.eq and isinstance(value, bool):
        active = Q(status=MembershipStatus.ACTIVE)
        return active if value else ~active
    if name == "id" and op == CompareOperator.eq:
        return Q(pk=int(value)) if str(value).isdigit() else NOTHING
    if name == "emails.type" and op == CompareOperator.eq and isinstance(value, str):
        return Q() if value.lower() == "work" else NOTHING  # the login email is the work one
    if name == "emails.primary" and op == CompareOperator.eq and isinstance(value, bool):
        return Q() if value else NOTHING
    _refuse(f"Unsupported comparison: {name} {op.value} {value!r}.")
    return NOTHING  # not reached
