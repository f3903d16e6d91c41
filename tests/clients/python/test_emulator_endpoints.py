"""The emulator's own endpoints, as test suites in other languages use them."""

import requests


def test_health(endpoint):
    body = requests.get(f"{endpoint}/_emulator/health", timeout=10).json()
    assert body["status"] == "ok"


def test_the_outbox_reads_back_empty_for_an_unknown_user(messages):
    assert messages(username="nobody-here") == []
