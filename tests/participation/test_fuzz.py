"""Fuzz the router's OpenAPI description with schemathesis: no input may cause a 5xx.

Each operation gets a bounded number of generated requests, valid and invalid ones, each sent
anonymously and with a logged-in administrator's session (cookie + CSRF header), on both
engines.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from quartiers.participation.routing import ParticipationConfig
from quartiers.participation.store import ContributionStore

from .helpers import PASSWORD, add_moderator, make_app, submit

EXAMPLES_PER_OPERATION = 25
UNLIMITED = ParticipationConfig(
    submit_burst=100_000,
    submit_per_minute=100_000,
    login_burst=100_000,
    login_per_minute=100_000,
    secure_cookies=False,
)


def test_openapi_fuzzing_finds_no_server_error(store: ContributionStore) -> None:
    app = make_app(store, UNLIMITED)
    add_moderator(store, "fuzz", ["*"], role="admin")
    with TestClient(app) as client:
        for _ in range(3):
            submit(client)
        login = client.post("/api/moderation/login", json={"login": "fuzz", "password": PASSWORD})
        cookies = {"qt_session": login.cookies["qt_session"]}
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    failures: list[str] = []

    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            for kwargs in ({}, {"cookies": cookies, "headers": headers}):
                response = case.call(**kwargs)
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        run()
    assert not failures, "\n".join(failures[:10])
