"""The check tab's endpoint: a text or a dropped PDF checked as it is, with the paper report and the repair."""

import base64
import json

import pytest

from detector.papers.testing import simple_pdf
from detector.present.serve import Api

TEXT = "We train a counterfeit consciousness model and compare it with irregular woodland baselines on the data."


@pytest.fixture(scope="module")
def api():
    return Api()


def call(api, payload):
    return api.handle("/api/check", json.dumps(payload).encode("utf-8"))


def test_text_is_checked_as_it_is(api):
    status, body = call(api, {"text": TEXT})
    assert status == 200
    assert body["tortured"]["known"] == 2 and "Problematic Paper Screener" in body["tortured_html"]
    assert "artificial intelligence" in body["repaired"] and "random forest" in body["repaired"]
    assert "<mark" in body["html"] and body["paper"] is None


def test_a_dropped_pdf_gets_the_paper_report(api):
    pdf = simple_pdf(["A Title\nAbstract\n" + TEXT, "1. Methods\nMore about the counterfeit consciousness model."])
    status, body = call(api, {"pdf": base64.b64encode(pdf).decode(), "name": "p.pdf"})
    assert status == 200 and body["paper"]["pages"] == 2
    pages = {f["page"] for f in body["tortured"]["findings"]}
    assert pages == {1, 2}


@pytest.mark.parametrize("payload,expected", [
    ({"pdf": "not base64!"}, "bad base64"),
    ({"pdf": base64.b64encode(b"%PDF-1.4 broken").decode()}, "not a readable PDF"),
    ({"text": ""}, "empty"),
    ({"words": 3}, "send"),
])
def test_bad_requests_are_one_message(api, payload, expected):
    status, body = call(api, payload)
    assert status == 400 and expected in body["error"]


def test_markup_in_a_text_is_escaped(api):
    status, body = call(api, {"text": "<script>alert(1)</script> A counterfeit consciousness model."})
    assert status == 200 and "<script>" not in body["html"] and "<script>" not in body["tortured_html"]
