"""Hostile and mutated deliveries, signed: every answer is 202 or 400 with a reason, never a 5xx."""

import copy
import json
import random
import tempfile
import threading
from pathlib import Path

import pytest
import requests
from test_webhook import SECRET, github_headers
from werkzeug.serving import make_server

from bot.app.settings import Settings
from bot.app.webhook import create_app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"
EVENTS = ["pull_request", "issue_comment", "check_run", "check_suite", "push", "installation",
          "installation_repositories", "ping"]
ACTIONS = ["opened", "synchronize", "closed", "created", "added", "rerequested", "requested_action", "deleted"]
DEEP = 10_000
MUTATIONS = 10_000
OVER_HTTP = 300


def fixtures() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(FIXTURES.rglob("*.json")):
        payload = json.loads(path.read_bytes())
        event = path.parent.name if path.parent.name in EVENTS else path.name.split(".")[0]
        found.append((event if event in EVENTS else "pull_request", payload))
    return found


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def paths(value, prefix=()):
    """Every (path) to a value in the JSON tree."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:3]):
            yield from paths(inner, prefix + (index,))


HOSTILE_VALUES = [[], {}, True, False, None, 0, -1, 2**70, 1e308, "", "\ud800", "a/\udfff", "../..",
                  "x" * 5000, {"id": True}, [{"full_name": []}], "refs/heads/main", "0" * 40, "Bot"]


def step(value, key):
    """value[key] when that still exists (an earlier mutation may have replaced the way there)."""
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and key < len(value):
        return value[key]
    return None


def mutate(rng: random.Random, payload: dict) -> bytes:
    """One mutation where routing looks, or anywhere: a replaced or dropped value, or broken bytes."""
    changed = copy.deepcopy(payload)
    choice = rng.random()
    if choice < 0.03:
        return deep(DEEP).encode()
    if choice < 0.06:
        body = json.dumps(changed).encode()
        cut = rng.randrange(len(body))
        return body[:cut] + bytes([rng.randrange(256)]) + body[cut + 1:]
    every = list(paths(changed))
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(every[1:]) if len(every) > 1 else ()
        parent = changed
        for key in path[:-1]:
            parent = step(parent, key)
        if not isinstance(parent, dict | list) or not path:
            continue
        key = path[-1]
        if isinstance(parent, dict) and rng.random() < 0.2:
            parent.pop(key, None)
        elif isinstance(parent, dict) or (isinstance(parent, list) and isinstance(key, int) and key < len(parent)):
            parent[key] = rng.choice(HOSTILE_VALUES + [rng.choice(ACTIONS)])
    if rng.random() < 0.3:
        changed["action"] = rng.choice(HOSTILE_VALUES + ACTIONS)
    if rng.random() < 0.05:
        changed["sender"] = json.loads(deep(50)) if rng.random() < 0.5 else {"login": "\ud800", "type": "User"}
    return json.dumps(changed).encode()


def cases(count: int, seed: int):
    rng = random.Random(seed)
    base = fixtures()
    for index in range(count):
        event, payload = rng.choice(base)
        if rng.random() < 0.1:
            event = rng.choice(EVENTS)
        yield f"fuzz-{seed}-{index}", event, mutate(rng, payload)


@pytest.fixture
def fast_settings():
    """The delivery log on a tmpfs when there is one: ten thousand fsyncs on a disk take minutes."""
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as data:
        yield Settings(webhook_secret=SECRET, data_dir=Path(data))


def check(status: int, answer: dict, body: bytes) -> None:
    assert status in (202, 400), (status, answer, body[:300])
    if status == 400:
        assert answer["error"], answer


def test_ten_thousand_mutated_real_payloads_get_202_or_400_with_a_reason(fast_settings):
    enqueued = []
    client = create_app(fast_settings, enqueue=enqueued.append).test_client()
    statuses = {202: 0, 400: 0}
    for delivery, event, body in cases(MUTATIONS, seed=13):
        response = client.post("/webhook", data=body, headers=github_headers(event, body, delivery=delivery))
        check(response.status_code, response.get_json(), body)
        statuses[response.status_code] += 1
    assert min(statuses.values()) > MUTATIONS // 20, statuses  # both kinds of answer were exercised
    assert enqueued


def test_mutated_payloads_over_real_http(fast_settings):
    server = make_server("127.0.0.1", 0, create_app(fast_settings, enqueue=lambda _d: None), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/webhook"
        with requests.Session() as http:
            for delivery, event, body in cases(OVER_HTTP, seed=14):
                reply = http.post(url, data=body, headers=github_headers(event, body, delivery=delivery), timeout=30)
                check(reply.status_code, reply.json(), body)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (deep(DEEP).encode(), "the body is nested too deeply"),
        (('{"action": ' + deep(DEEP) + "}").encode(), "the body is nested too deeply"),
        (b'{"action": []}', "payload field action is missing or not a str"),
        (b'{"action": "opened\\ud800"}', "payload field action is not valid Unicode"),
        (b"\xff\xfe{}", "the body is not valid JSON"),
    ],
)
def test_hostile_bodies_are_400_with_the_reason(fast_settings, body, reason):
    client = create_app(fast_settings).test_client()
    response = client.post("/webhook", data=body, headers=github_headers("pull_request", body))
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(reason)


def test_a_lone_surrogate_in_an_ignored_events_action_is_recorded_without_it(fast_settings):
    client = create_app(fast_settings).test_client()
    body = b'{"action": "\\ud800", "zen": "x"}'
    response = client.post("/webhook", data=body, headers=github_headers("star", body, delivery="d-star"))
    assert response.status_code == 202
