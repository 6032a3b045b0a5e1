"""The output contract: every document validates against the published JSON Schema."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

import jsonschema
import pytest

from ingest.clean import clean_dump
from ingest.document import dumps_document
from ingest.rules import Rules
from tests.support.synth import generate_corpus

SCHEMA = json.loads(
    resources.files("ingest").joinpath("data/document.schema.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_generated_documents_validate(
    validator: jsonschema.Draft202012Validator, rules: Rules, scraped_at: datetime
) -> None:
    count = 0
    for dump in generate_corpus(60, seed=11):
        for doc in clean_dump(
            dump.data, path=dump.name, rules=rules, scraped_at=scraped_at
        ).documents:
            validator.validate(json.loads(dumps_document(doc)))
            count += 1
    assert count > 60


def test_schema_rejects_a_broken_document(
    validator: jsonschema.Draft202012Validator, rules: Rules
) -> None:
    doc = clean_dump(b"One short story. It ends here.\n", path="x", rules=rules).documents[0]
    data = json.loads(dumps_document(doc))
    data["removed"] = [{"rule": "x", "text": "y"}]
    assert not validator.is_valid(data)


def test_serialisation_is_byte_stable(rules: Rules, scraped_at: datetime) -> None:
    dump = next(iter(generate_corpus(1, seed=5)))
    a = [
        dumps_document(d)
        for d in clean_dump(dump.data, path="p", rules=rules, scraped_at=scraped_at).documents
    ]
    b = [
        dumps_document(d)
        for d in clean_dump(dump.data, path="p", rules=rules, scraped_at=scraped_at).documents
    ]
    assert a == b
    assert all(s.endswith("}\n") for s in a)
