"""Checks requests and responses against GitHub's OpenAPI description (the stored subset).

Only the operations of tests/fixtures/github-openapi/subset-current-octokit.json are
checked; every other endpoint of the double is served unvalidated. A request body that does
not match is the client's fault (422, as GitHub answers); a response that does not match is
a bug in the double, recorded in `errors` (see GitHubDouble.assert_no_schema_errors).
"""

from __future__ import annotations

import copy
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SPEC_DIR = Path(__file__).parent.parent / "fixtures" / "github-openapi"
SPEC_PATH = SPEC_DIR / "subset-current-octokit.json"
DROPPED_KEYS = {"discriminator", "example", "examples", "xml", "externalDocs", "deprecated",
                "x-multi-segment"}

# Where GitHub itself answers outside its description, the description is patched here.
SPEC_PATCHES = [
    # head.repo is null when the fork behind a PR was deleted (github-facts.md, webhooks).
    ("pull-request", ("properties", "head", "properties", "repo"), {"nullable": True}),
]


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema 2020-12 (`nullable` becomes a null alternative)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: to_json_schema(v) for k, v in node.items()
           if k not in DROPPED_KEYS and k != "nullable"}
    if not node.get("nullable"):
        return out
    if "type" in out and isinstance(out["type"], str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [out, {"type": "null"}]}


def _patched(spec: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    for schema, path, extra in SPEC_PATCHES:
        node = spec["components"]["schemas"][schema]
        for key in path:
            node = node[key]
        node.update(extra)
    return spec


@lru_cache(maxsize=4)
def _load(spec_path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Converted components, raw paths and a validator cache, shared by every double."""
    raw = _patched(json.loads(spec_path.read_text()))
    return to_json_schema(raw["components"]), raw["paths"], {}


_LOCK = threading.Lock()


class OpenApiChecker:
    def __init__(self, spec_path: Path = SPEC_PATH):
        self.components, self.paths, self._validators = _load(spec_path)
        self.errors: list[str] = []

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        return self.paths.get(template, {}).get(method.lower())

    def _validator(self, key: str, schema: dict[str, Any]) -> Draft202012Validator:
        with _LOCK:
            if key not in self._validators:
                rooted = {**to_json_schema(schema), "components": self.components}
                self._validators[key] = Draft202012Validator(rooted)
            return self._validators[key]

    def request_error(self, method: str, template: str, body: Any) -> str | None:
        """A GitHub-style explanation when `body` does not fit the operation, else None."""
        op = self.operation(method, template)
        if op is None or "requestBody" not in op:
            return None
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        found = best_match(self._validator(f"{method} {template} request", schema)
                           .iter_errors(body))
        return None if found is None else describe(found)

    def check_response(self, method: str, template: str, status: int, body: Any) -> None:
        """Record a mismatch between what the double sent and the documented response."""
        schema = self._response_schema(method, template, status)
        if schema is None:
            return
        validator = self._validator(f"{method} {template} {status}", schema)
        for found in validator.iter_errors(body):
            where = "/".join(str(p) for p in found.absolute_path)
            self.errors.append(f"{method} {template} -> {status} at /{where}: {found.message}")

    def _response_schema(self, method: str, template: str, status: int) -> dict | None:
        op = self.operation(method, template)
        if op is None:
            return None
        response = op["responses"].get(str(status))
        if response is None:
            return None
        if "$ref" in response:
            response = self._raw_responses[response["$ref"].rsplit("/", 1)[1]]
        content = response.get("content", {}).get("application/json")
        return None if content is None else content["schema"]

    @property
    def _raw_responses(self) -> dict[str, Any]:
        return self.components["responses"]


def describe(found: ValidationError) -> str:
    """The wording GitHub uses for schema failures of request bodies."""
    where = "/".join(f"properties/{p}" if isinstance(p, str) else f"items/{p}"
                     for p in found.absolute_path) or "root"
    if found.validator == "required":
        missing = found.message.split("'")[1]
        return f'"{missing}" wasn\'t supplied.'
    if found.validator == "enum":
        return (f"For '{where}', {json.dumps(found.instance)} is not a member of "
                f"{json.dumps(found.validator_value)}.")
    if found.validator == "type":
        return f"For '{where}', {json.dumps(found.instance)} is not {found.validator_value}."
    if found.validator == "maxLength":
        return (f"For '{where}', {json.dumps(found.instance)[:40]}... is too long "
                f"(maximum is {found.validator_value} characters).")
    if found.validator == "maxItems":
        return f"For '{where}', is too long (maximum is {found.validator_value} items)."
    return f"For '{where}', {found.message}"
