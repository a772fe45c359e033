#!/usr/bin/python3
"""Validate an SBOM document against the saved schemas.

usage: schema_validate.py spdx|spdx-2.3.1|cyclonedx FILE...

Schemas come from testdata/spec in this repository (vendored, see
testdata/PROVENANCE.md): spdx-2.3-schema.json, spdx-2.3.1-draft-schema.json and
cyclonedx-1.6/bom-1.6.schema.json (whose relative $refs spdx.schema.json
and jsf-0.82.schema.json are resolved from the same folder). Exit 0 when
every file is valid; otherwise print each error and exit 1.
Uses Debian's python3-jsonschema (4.10: RefResolver store).
"""
import json
import os
import sys

import jsonschema


def spec_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "testdata", "spec")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def validator(kind):
    spec = spec_dir()
    if kind == "spdx":
        schema = load(os.path.join(spec, "spdx-2.3-schema.json"))
        return jsonschema.Draft7Validator(schema)
    if kind == "spdx-2.3.1":
        schema = load(os.path.join(spec, "spdx-2.3.1-draft-schema.json"))
        cls = jsonschema.validators.validator_for(schema)
        return cls(schema)
    if kind == "cyclonedx":
        base = os.path.join(spec, "cyclonedx-1.6")
        schema = load(os.path.join(base, "bom-1.6.schema.json"))
        store = {}
        for name in ("spdx.schema.json", "jsf-0.82.schema.json",
                     "bom-1.6.schema.json"):
            doc = load(os.path.join(base, name))
            store["http://cyclonedx.org/schema/" + name] = doc
            if "$id" in doc:
                store[doc["$id"]] = doc
        resolver = jsonschema.RefResolver(
            base_uri="http://cyclonedx.org/schema/bom-1.6.schema.json",
            referrer=schema, store=store)
        return jsonschema.Draft7Validator(schema, resolver=resolver)
    raise SystemExit("unknown kind %r (spdx, spdx-2.3.1, cyclonedx)" % kind)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    v = validator(argv[1])
    bad = 0
    for path in argv[2:]:
        try:
            doc = load(path)
        except (OSError, ValueError) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            bad += 1
            continue
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:20]:
            loc = "/".join(str(p) for p in e.path)
            print("%s: %s: %s" % (path, loc or "(root)", e.message),
                  file=sys.stderr)
        if errors:
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
