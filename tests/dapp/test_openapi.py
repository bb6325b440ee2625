"""The served OpenAPI description lists exactly the app's routes, with their methods and path parameters."""
import re

import pytest

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def app_routes(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            routes.add((path, method.lower()))
    return routes


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_spec_is_openapi_3_1(spec):
    assert spec["openapi"] == "3.1.0"


def test_every_route_is_described_and_every_description_is_a_route(app, spec):
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert described == app_routes(app)


def test_path_parameters_match_the_route_template(spec):
    for path, ops in spec["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, op in ops.items():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == names, f"{method.upper()} {path}"


def test_every_operation_documents_its_error_answers_as_json(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
