"""docs/portal-api.yaml describes every route of the portal's JSON API, and only those.

The routes come from `mydocker_hub.portal.app.routes`: each regex is turned into
an OpenAPI path template, and each handler class into the HTTP methods it
defines. A new endpoint (a route, or a method on a handler) that the file
does not describe fails here.
"""

import inspect
import re
from pathlib import Path

import pytest
import yaml
from tornado import web

from mydocker_hub.handlers import api
from mydocker_hub.portal import app, permissions, service

SPEC_PATH = Path(__file__).resolve().parents[3] / "docs" / "portal-api.yaml"
API_PREFIX = f"{service.PREFIX}api"
METHODS = ("get", "post", "put", "patch", "delete")

# Each capturing group of an API route, as a path parameter of the OpenAPI file.
# The regexes differ as strings (IMAGE is not ENV), so the order of replacement is safe;
# the named groups come before the bare (\d+).
GROUPS = {
    app.ENV: "{name}",
    app.IMAGE: "{image}",
    app.NUMBER: "{number}",
    app.USER: "{user}",
    r"(\d+)": "{session_id}",
}
# A group of plain words, such as (duplicate|archive): one documented path per word.
ALTERNATIVES = re.compile(r"\(([a-z-]+(?:\|[a-z-]+)+)\)")
SAMPLES = {
    "name": "python-l1",
    "user": "alice@example.org",
    "session_id": "12",
    "image": "python-data",
    "number": "3",
}


@pytest.fixture(scope="module")
def spec():
    with SPEC_PATH.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def templates(pattern):
    """The OpenAPI path templates of a route's regex `pattern` (relative to ``api``)."""
    for group, name in GROUPS.items():
        pattern = pattern.replace(group, name)
    match = ALTERNATIVES.search(pattern)
    if match:
        return [
            template
            for word in match.group(1).split("|")
            for template in templates(pattern[: match.start()] + word + pattern[match.end() :])
        ]
    leftover = re.sub(r"\{(name|user|session_id|image|number)\}", "", pattern)
    assert not re.search(r"[\\()\[\]{}|?*+^$.]", leftover), (
        f"the route {pattern!r} has a group this test does not know: add it to GROUPS"
    )
    return [pattern]


def served_methods(handler, path_args):
    """The methods `handler` defines that can take the route's `path_args` arguments."""
    served = set()
    for method in METHODS:
        function = getattr(handler, method)
        if function is getattr(web.RequestHandler, method):
            continue  # Tornado's own: 405
        try:
            inspect.signature(function).bind(None, *["x"] * path_args)
        except TypeError:
            continue  # would fail with a 500 on this route
        served.add(method)
    return served


def api_routes():
    prefix = f"{API_PREFIX}/"
    return [
        (pattern[len(prefix) - 1 :], handler)
        for pattern, handler in app.routes(service.PREFIX)
        if pattern.startswith(prefix) and handler is not api.APINotFoundHandler
    ]


def served_operations():
    operations = set()
    for pattern, handler in api_routes():
        path_args = re.compile(pattern).groups
        for template in templates(pattern):
            for method in served_methods(handler, path_args):
                operations.add((method, template))
    return operations


def documented_operations(spec):
    return {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }


def test_the_api_routes_are_found():
    operations = served_operations()
    assert ("post", "/environments") in operations
    assert ("patch", "/environments/{name}") in operations
    assert ("post", "/environments/{name}/duplicate") in operations
    assert ("delete", "/environments/{name}/sessions/{session_id}") in operations
    assert ("get", "/me/environments") in operations
    assert ("put", "/images/{image}/context") in operations
    assert ("get", "/images/{image}/builds/{number}/log") in operations
    assert ("post", "/images/{image}/builds/{number}/cancel") in operations


def test_no_group_is_part_of_another():
    # `templates` replaces the groups one after the other: one inside another would
    # leave pieces of regex behind, or depend on the order of GROUPS.
    for group in GROUPS:
        assert not any(group in other for other in GROUPS if other != group), group


def test_every_operation_served_is_documented_and_nothing_else(spec):
    served = served_operations()
    documented = documented_operations(spec)
    assert not served - documented, f"not in {SPEC_PATH.name}: {sorted(served - documented)}"
    assert not documented - served, f"not served: {sorted(documented - served)}"


def test_each_template_matches_its_route():
    for pattern, _ in api_routes():
        for template in templates(pattern):
            assert re.fullmatch(pattern, template.format(**SAMPLES)), (pattern, template)


def test_the_server_is_the_portals_api(spec):
    assert spec["openapi"].startswith("3.1.")
    assert [server["url"] for server in spec["servers"]] == [API_PREFIX]


def test_every_path_parameter_is_declared(spec):
    def resolve(item):
        if "$ref" in item:
            *_, name = item["$ref"].split("/")
            return spec["components"]["parameters"][name]
        return item

    for path, item in spec["paths"].items():
        in_path = set(re.findall(r"\{(\w+)\}", path))
        for method in set(item) & set(METHODS):
            parameters = [resolve(p) for p in item.get("parameters", [])]
            parameters += [resolve(p) for p in item[method].get("parameters", [])]
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == in_path, (method, path)


def test_every_operation_answers_success_and_errors_as_json(spec):
    operation_ids = []
    for path, item in spec["paths"].items():
        for method in set(item) & set(METHODS):
            operation = item[method]
            operation_ids.append(operation["operationId"])
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (method, path)
            assert {"403", "502"} <= codes, (method, path)  # not logged in; the hub is away
            if method != "get":
                schemes = [set(requirement) for requirement in operation["security"]]
                assert schemes == [{"hubToken"}, {"loginCookie", "xsrfHeader"}], (method, path)
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves(spec):
    def references(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    for reference in references(spec):
        assert reference.startswith("#/"), reference
        node = spec
        for part in reference[2:].split("/"):
            assert part in node, reference
            node = node[part]


def test_the_token_scopes_are_the_ones_the_portal_checks(spec):
    token = spec["components"]["securitySchemes"]["hubToken"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")
    description = token["description"]
    assert permissions.TEACHER_TOKEN_SCOPE in description
    assert permissions.ADMIN_TOKEN_SCOPE in description
    assert service.ACCESS_SCOPE in description
