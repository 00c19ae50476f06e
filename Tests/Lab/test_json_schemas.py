"""Issue 33, versioned machine output: scan.json and every `--json` output carry `schema_version` at
the top level and validate against their JSON Schema (draft 2020-12) in docs/schema/, with a real
validator (Python jsonschema). A key an output lacks, or one its schema does not list, fails."""
import copy
import json
import os
import pathlib

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from json_outputs import command_outputs, scan_outputs
from labenv import ROOT

HERE = pathlib.Path(__file__).resolve().parent
LAB_ENV = pathlib.Path(os.environ.get("LAB_ENV", HERE / "run" / "lab.env"))
SCHEMAS = pathlib.Path(ROOT) / "docs" / "schema"

pytestmark = pytest.mark.skipif(not LAB_ENV.exists(), reason="the lab is not running (make lab-start)")


def load_schemas():
    return {path.name[: -len(".schema.json")]: json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.schema.json"))}


def validator(name, schemas):
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    return Draft202012Validator(schemas[name], registry=registry)


@pytest.fixture(scope="session")
def outputs(tmp_path_factory, every_world):
    folder = tmp_path_factory.mktemp("json-outputs")
    found = command_outputs(str(folder))
    found.update(scan_outputs(str(folder)))
    for name, run in every_world:
        found["scan"].append((f"scan.json of {name}", json.loads((run / "scan.json").read_text())))
    return found


def test_every_schema_is_a_valid_draft_2020_12_schema():
    schemas = load_schemas()
    assert len(schemas) == 16
    for name, schema in schemas.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
        assert schema["$id"].endswith(f"/{name}.schema.json"), name
        Draft202012Validator.check_schema(schema)


def test_every_output_has_its_schema_and_schema_version_1(outputs):
    assert set(outputs) == set(load_schemas()), "an output without schema, or a schema without output in the lab"
    for name, documents in outputs.items():
        for what, document in documents:
            assert document.get("schema_version") == 1, f"{what}: schema_version {document.get('schema_version')!r}"


def test_every_output_validates_against_its_schema(outputs):
    schemas = load_schemas()
    for name, documents in outputs.items():
        check = validator(name, schemas)
        for what, document in documents:
            errors = sorted(check.iter_errors(document), key=lambda error: list(error.absolute_path))
            assert not errors, f"{what} ({name}.schema.json): " + "; ".join(f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}" for error in errors[:5])


def keyed_paths(document, prefix=()):
    """Every (path to an object, key) of the document, objects inside arrays by their index."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield prefix, key
            yield from keyed_paths(value, prefix + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document[:2]):
            yield from keyed_paths(value, prefix + (index,))


def at(document, path):
    for part in path:
        document = document[part]
    return document


def test_a_missing_key_or_an_unknown_one_fails_the_schema(outputs):
    """What a renderer that drops a key, or adds one without its schema, would print: every required
    key removed in turn (one document of each output), and one unknown key added at each object."""
    schemas = load_schemas()
    checked = 0
    for name, documents in outputs.items():
        check = validator(name, schemas)
        what, document = documents[0]
        for path, key in keyed_paths(document):
            parent = at(document, path)
            broken = copy.deepcopy(document)
            del at(broken, path)[key]
            removed_fails = not check.is_valid(broken)
            added = copy.deepcopy(document)
            at(added, path)["unlisted_key_for_the_test"] = 1
            assert not check.is_valid(added), f"{what}: an unknown key beside {'/'.join(map(str, path + (key,)))} passes {name}.schema.json"
            if removed_fails:
                checked += 1
            elif not is_optional(schemas[name], parent, key, path, check):
                pytest.fail(f"{what}: without {'/'.join(map(str, path + (key,)))} it still passes {name}.schema.json")
        assert check.is_valid(document)
    assert checked > 300


def is_optional(schema, parent, key, path, check):
    """Keys of data maps (domains, regions, SPF results) and keys written only when known may be left out."""
    return not isinstance(key, str) or "." in key or key.isupper() or key in {"pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"} \
        or key in OPTIONAL_KEYS


# Keys the Swift types hold as Optional: written only when known (docs/schema/README.md).
OPTIONAL_KEYS = {"spf_result", "dmarc_policy", "relay_status", "dkim_status", "unknown_runs", "change_first_seen", "unknown_alert", "relay", "dkim_keys",
                 "dmarc", "region", "sending_path", "inbox", "worst_result", "record", "dns_lookups", "dmarc_aligned", "dmarc_record", "dmarc_record_name",
                 "facts", "institutions", "address_problem", "key_type", "key_bits", "selection", "catalog_source", "catalog_snapshot_id", "finished_at",
                 "line", "column", "hint", "published_record", "recommended_record", "networks", "terms", "changed_record"}


def test_the_csv_headers_are_the_ones_docs_schema_lists(every_world):
    readme = (SCHEMAS / "README.md").read_text()
    blocks = readme.split("## CSV files", 1)[1].split("```")[1::2]
    documented = {"summary.csv": blocks[0].strip(), "findings.csv": blocks[1].strip()}
    for name, run in every_world:
        for csv_name, header in documented.items():
            first = (run / csv_name).read_bytes().decode().split("\r\n", 1)[0]
            assert first == header, f"{name}: {csv_name} starts {first!r}, docs/schema/README.md lists {header!r}"
