#!/usr/bin/env python3
"""Render every conformance case with Python's Jinja2 and record the expected output.

    conformance_expected.py            # writes Tests/TemplateEngineTests/Conformance/cases.json

cases.json is {"contexts": {NAME: context}, "files": {NAME: {file: source}}, "cases": [case]}: a
case's "context" or "files" is either inline or the name of a shared one (conformance_cases.py's
SHARED_CONTEXTS and SHARED_FILES), so the contexts most cases use are written once.

Cases come from conformance_cases.py. Each is rendered with Jinja2 (StrictUndefined, or
the default Undefined for cases with the option undefined="lenient"; the case's options, a DictLoader for includes) plus the extra filters below, which
TemplateEngine implements identically. A case that fails in Jinja2 is recorded as
an expected error; `swift test` then checks that TemplateEngine fails too.
"""
import base64
import hashlib
import json
import os
import re
import shlex
import sys
import time
import unicodedata

import arrow

import jinja2
import jinja2_time.jinja2_time as jinja2_time_module
import yaml
from jinja2_ansible_filters.core_filters import FilterModule as AnsibleFilters

ANSIBLE_CORE = AnsibleFilters().filters()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformance_cases import CASES, SHARED_CONTEXTS, SHARED_FILES  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TemplateEngineTests", "Conformance", "cases.json")


def regex_findall(value, regex, multiline=False, ignorecase=False):
    """jinja2-ansible-filters' regex_findall, with tuples of groups as lists (TemplateEngine has no tuples)."""
    return [list(m) if isinstance(m, tuple) else m for m in ANSIBLE_CORE["regex_findall"](value, regex, multiline, ignorecase)]


def basename(value):
    return os.path.basename(str(value))


def dirname(value):
    return os.path.dirname(str(value))


def b64encode(value):
    return base64.b64encode(str(value).encode("utf-8")).decode("ascii")


def b64decode(value):
    return base64.b64decode(str(value)).decode("utf-8")


def dict2items(mydict, key_name="key", value_name="value"):
    """ansible-core's dict2items (jinja2-ansible-filters 1.3.2 leaves it out; TemplateEngine has it)."""
    if not isinstance(mydict, dict):
        raise TypeError("dict2items requires a dictionary, got %s instead." % type(mydict))
    return [{key_name: key, value_name: value} for key, value in mydict.items()]


def items2dict(mylist, key_name="key", value_name="value"):
    """ansible-core's items2dict."""
    if not isinstance(mylist, list):
        raise TypeError("items2dict requires a list, got %s instead." % type(mylist))
    return dict((item[key_name], item[value_name]) for item in mylist)


def slugify(value):
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _case_words(value, sep):
    s = str(value)
    s = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", s)
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", s)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    return s.replace("_", sep)


def snake_case(value):
    return _case_words(value, "_")


def kebab_case(value):
    return _case_words(value, "-")


EXTRA_FILTERS = {
    "regex_findall": regex_findall, "dict2items": dict2items, "items2dict": items2dict, "basename": basename, "dirname": dirname, "b64encode": b64encode,
    "b64decode": b64decode, "slugify": slugify, "snake_case": snake_case,
    "kebab_case": kebab_case, "quote": lambda value: shlex.quote(str(value)),
}

# The clock `{% now %}` reads, fixed so outputs are reproducible; ConformanceTests.swift uses the same
# instant and UTC as the local zone.
FIXED_NOW = 1767323045.123456
os.environ["TZ"] = "UTC"
time.tzset()


class _FixedArrow:
    """Stands in for the arrow module inside jinja2_time: now(tz) is FIXED_NOW in tz."""

    def __getattr__(self, name):
        return getattr(arrow, name)

    def now(self, tz=None):
        return arrow.get(FIXED_NOW).to(tz or "local")


jinja2_time_module.arrow = _FixedArrow()

# jinja2-ansible-filters (what copier loads) for the filters TemplateEngine takes from it unchanged.
ANSIBLE = ANSIBLE_CORE
ANSIBLE_FILTERS = ("regex_search", "regex_replace", "to_json", "to_nice_json", "to_yaml", "to_nice_yaml", "bool", "ternary", "combine", "mandatory", "splitext", "win_basename", "win_dirname",
                   "win_splitdrive", "comment", "strftime", "shuffle", "ans_random", "to_uuid", "md5",
                   "sha1", "checksum", "hash", "regex_escape", "flatten", "from_json", "from_yaml", "type_debug",
                   "extract")

DELIMITER_KEYS = ("block_start_string", "block_end_string", "variable_start_string",
                  "variable_end_string", "comment_start_string", "comment_end_string")


def render(case):
    options = dict(case.get("options", {}))
    env = jinja2.Environment(
        undefined=jinja2.Undefined if options.get("undefined") == "lenient" else jinja2.StrictUndefined,
        keep_trailing_newline=options.get("keep_trailing_newline", True),
        trim_blocks=options.get("trim_blocks", False),
        lstrip_blocks=options.get("lstrip_blocks", False),
        loader=jinja2.DictLoader(case.get("files", {})),
        extensions=[jinja2_time_module.TimeExtension],
        **{k: options[k] for k in DELIMITER_KEYS if k in options},
    )
    env.filters.update(EXTRA_FILTERS)
    env.filters.update({name: ANSIBLE[name] for name in ANSIBLE_FILTERS})
    return env.from_string(case["template"]).render(**case.get("context", {}))


def canonical(value):
    """The JSON text of a context or file set; key order counts (it is the order a template iterates in)."""
    return json.dumps(value, ensure_ascii=False)


def share(records, key, table):
    """Replaces each record's inline `key` that equals an entry of `table` by that entry's name; returns
    the entries used, in the table's order."""
    names = {}
    for name, value in table.items():
        if canonical(value) in names:
            sys.exit("shared %s %s repeats %s" % (key, name, names[canonical(value)]))
        names[canonical(value)] = name
    used = set()
    for record in records:
        name = names.get(canonical(record[key])) if key in record else None
        if name is not None:
            record[key] = name
            used.add(name)
    return {name: value for name, value in table.items() if name in used}


def main():
    seen = set()
    records = []
    for case in CASES:
        if case["id"] in seen:
            sys.exit("duplicate case id: %s" % case["id"])
        seen.add(case["id"])
        record = dict(case)
        try:
            record["expected"] = render(case)
        except Exception as e:  # every Jinja2 failure is an expected error
            record["error"] = "%s: %s" % (type(e).__name__, e)
        records.append(record)
    document = {"contexts": share(records, "context", SHARED_CONTEXTS), "files": share(records, "files", SHARED_FILES),
                "cases": records}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, ensure_ascii=False)
        f.write("\n")
    errors = sum(1 for r in records if "error" in r)
    print("%d cases (%d expected errors) -> %s" % (len(records), errors, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
