"""RFC 7644 §4: ServiceProviderConfig, ResourceTypes and Schemas, built by scim2-models
from the same User and Group models the endpoints serve."""

from django.conf import settings
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    ListResponse,
    Meta,
    Patch,
    ResourceType,
    Schema,
    ServiceProviderConfig,
    Sort,
    User,
)

from scim.protocol import dump, error_response, method_not_allowed, scim_endpoint, scim_response
from scim.resources import ScimUser, base_url

RESOURCE_MODELS = {"User": ScimUser, "Group": Group}
SCHEMA_MODELS = [User, EnterpriseUser, Group]


def _service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=settings.SCIM_MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="A SCIM token from Admin > Settings > Provisioning.",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}ServiceProviderConfig"),
    )


@scim_endpoint
def service_provider_config(request, caller):
    if request.method != "GET":
        return method_not_allowed(["GET"])
    config = _service_provider_config(base_url(request))
    return scim_response(dump(config))


def _resource_type(name: str, base: str) -> ResourceType:
    resource_type = ResourceType.from_resource(RESOURCE_MODELS[name])
    resource_type.meta = Meta(resource_type="ResourceType", location=f"{base}ResourceTypes/{name}")
    return resource_type


def _schema(model, base: str) -> Schema:
    schema = model.to_schema()
    schema.meta = Meta(resource_type="Schema", location=f"{base}Schemas/{model.__schema__}")
    return schema


@scim_endpoint
def resource_types(request, caller, name: str | None = None):
    if request.method != "GET":
        return method_not_allowed(["GET"])
    base = base_url(request)
    if name is not None:
        if name not in RESOURCE_MODELS:
            return error_response(404, f"No resource type {name}.")
        return scim_response(dump(_resource_type(name, base)))
    items = [_resource_type(n, base) for n in RESOURCE_MODELS]
    return scim_response(_list(ResourceType, items))


@scim_endpoint
def schemas(request, caller, schema_id: str | None = None):
    if request.method != "GET":
        return method_not_allowed(["GET"])
    base = base_url(request)
    by_id = {str(model.__schema__): model for model in SCHEMA_MODELS}
    if schema_id is not None:
        if schema_id not in by_id:
            return error_response(404, f"No schema {schema_id}.")
        return scim_response(dump(_schema(by_id[schema_id], base)))
    return scim_response(_list(Schema, [_schema(m, base) for m in by_id.values()]))


def _list(model, items) -> dict:
    response = ListResponse[model](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    return response.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
