"""copier's features one by one, each a small fixture rendered by copier 9.19.1 (from the test
virtualenv) and by mlrepro and compared file by file, modes included; and each refused input refused
by both, mlrepro with a located error and exit 2. `Docs/compatibility-copier.md` names these tests
(its rows are checked against this file by `test_every_supported_row_names_a_test`)."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MLREPRO_BIN", REPO / ".build" / "debug" / "mlrepro"))
COPIER = Path(sys.executable).parent / "copier"
MATRIX = REPO / "Docs" / "compatibility-copier.md"
os.environ.setdefault("MLREPRO_PYTHON", sys.executable)


# The fixture helpers the copier comparison tests already have.
from test_copier_compat import copied_at_v1, snapshot, write


def environment(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", HOME=str(tmp_path), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e",
                GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")


def run_both(tmp_path: Path, files: dict[str, str] | None, args: list[str] = (), copier_args: list[str] = (),
             ours_args: list[str] = (), template: str = "../tpl") -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """Renders `files` (written to tmp_path/tpl unless None) with copier into a/out and with mlrepro into b/out."""
    if not COPIER.exists():
        pytest.fail(f"{COPIER} missing: run `make venv`")
    if files is not None:
        write(tmp_path / "tpl", files)
    env = environment(tmp_path)
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "b").mkdir(exist_ok=True)
    copier = subprocess.run([str(COPIER), "copy", "--defaults", "--trust", "--quiet", template, "out", *args, *copier_args],
                            cwd=tmp_path / "a", env=env, check=False, capture_output=True, text=True, timeout=120)
    ours = subprocess.run([str(BIN), "init", "out", "--template", template, "--defaults", "--trust", "--no-git",
                           "--no-probe", "--quiet", *args, *ours_args], cwd=tmp_path / "b", env=env,
                          check=False, capture_output=True, text=True, timeout=120)
    return copier, ours


def assert_same(tmp_path: Path, files: dict[str, str] | None, args: list[str] = (), **kwargs) -> subprocess.CompletedProcess[str]:
    copier, ours = run_both(tmp_path, files, args, **kwargs)
    assert copier.returncode == 0, copier.stderr
    assert ours.returncode == 0, ours.stderr
    expected, actual = snapshot(tmp_path / "a" / "out"), snapshot(tmp_path / "b" / "out")
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], f"{path} differs:\ncopier: {expected[path]!r}\nmlrepro: {actual[path]!r}"
    return ours


def assert_both_refuse(tmp_path: Path, files: dict[str, str], message: str, args: list[str] = ()) -> str:
    """copier fails, mlrepro exits 2 with `message` (a regex) and writes nothing."""
    copier, ours = run_both(tmp_path, files, args)
    assert copier.returncode != 0, "copier accepted it"
    assert ours.returncode == 2, ours.stderr
    assert re.search(message, ours.stderr), ours.stderr
    assert not (tmp_path / "b" / "out").exists(), "mlrepro wrote the project"
    return ours.stderr


# MARK: - Manifest parsing

@pytest.mark.parametrize("manifest,extra,location", [
    ("a: [1\n", {}, r"copier\.yml:2:1: error: invalid YAML"),
    ("a: {default: 1}\n---\nb: [1\n", {}, r"copier\.yml:4:1: error: invalid YAML"),
    ("a: 1\n---\n!include inc/*.yml\n", {"inc/x.yml": "q: 1\n---\nr: {x\n"}, r"inc/x\.yml:4:1: error: invalid YAML"),
    ("a: 'unterminated\n", {}, r"copier\.yml:\d+:\d+: error: invalid YAML"),
])
def test_manifest_yaml_errors_are_located_and_render_nothing(tmp_path: Path, manifest: str, extra: dict[str, str],
                                                             location: str) -> None:
    assert_both_refuse(tmp_path, {"copier.yml": manifest, "f.txt.jinja": "[{{ a }}]\n", **extra}, location)


@pytest.mark.parametrize("name", ["copier.yml", "copier.yaml"])
def test_manifest_yaml_errors_in_either_copier_name(tmp_path: Path, name: str) -> None:
    assert_both_refuse(tmp_path, {name: "a: [1\n", "f.txt.jinja": "{{ a }}\n"}, rf"{re.escape(name)}:2:1: error")


def test_mlrepro_manifest_yaml_errors_are_located(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"mlrepro.yml": "a: {default: x}\n---\nb: [1\n", "f.txt.jinja": "{{ a }}\n"})
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe"],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 2, ours.stderr
    assert re.search(r"mlrepro\.yml:4:1: error: invalid YAML", ours.stderr), ours.stderr
    assert not (tmp_path / "out").exists()


def test_both_copier_yml_and_copier_yaml_are_refused(tmp_path: Path) -> None:
    assert_both_refuse(tmp_path, {"copier.yml": "a: 1\n", "copier.yaml": "a: 2\n", "f.txt.jinja": "{{ a }}\n"},
                       r"multiple config files \(copier\.yaml, copier\.yml\)")


def test_duplicate_manifest_keys_keep_the_last_value_with_a_warning(tmp_path: Path) -> None:
    files = {"copier.yml": "a: 1\nb: 5\n\"a\": 2\nc: {default: 1, default: 7}\nb: 6\n---\n!include inc.yml\n",
             "inc.yml": "d: 1\nd: 4\n",
             "f.txt.jinja": "{{ a }} {{ b }} {{ c }} {{ d }}\n",
             "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"}
    ours = assert_same(tmp_path, files)
    assert (tmp_path / "b" / "out" / "f.txt").read_text() == "2 6 7 4\n"
    for where, key in [("copier.yml:3:1", "a"), ("copier.yml:4:20", "default"), ("copier.yml:5:1", "b"), ("inc.yml:2:1", "d")]:
        assert f"{where}: warning: key '{key}' is given twice" in ours.stderr, ours.stderr


def test_duplicate_keys_in_an_mlrepro_manifest_are_an_error(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"mlrepro.yml": "a: {default: x}\na: {default: y}\n", "f.txt.jinja": "{{ a }}\n"})
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe"],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 2 and "mlrepro.yml:2:1: error: duplicate key 'a'" in ours.stderr, ours.stderr


# MARK: - Questions and answers

MULTISELECT = {
    "copier.yml": "pick:\n  type: str\n  multiselect: true\n  choices: [a, b, c, d]\n  default: [c, a, c]\n"
                  "nums:\n  type: int\n  multiselect: true\n  choices: {one: 1, two: 2, three: 3}\n  default: \"[3, 1]\"\n",
    "out.txt.jinja": "{{ pick }} {{ nums }}\n",
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}",
}


@pytest.mark.parametrize("data", [[], ["--data", "pick=[d, b]"], ["--data", "pick=[b, a, b]", "--data", "nums=[2, 3, 1]"]])
def test_multiselect_answers_take_the_order_of_the_choices(tmp_path: Path, data: list[str]) -> None:
    assert_same(tmp_path, MULTISELECT, data)


ORDER = {
    "copier.yml": "a: {default: 1}\nb: {default: 2}\nc: {default: 3}\nd: {default: 4}\nsecret: {default: s, secret: true}\n",
    "out.txt.jinja": "{% for k, v in _copier_answers.items() %}{{ k }}={{ v }} {% endfor %}\n",
}


@pytest.mark.parametrize("file,data", [
    (None, ["--data", "d=5", "--data", "b=7"]),
    ("c: 9\nzz: 1\na: 8\n", []),
    ("c: 9\na: 8\n", ["--data", "d=5", "--data", "c=6"]),
])
def test_copier_answers_list_given_answers_first(tmp_path: Path, file: str | None, data: list[str]) -> None:
    args = list(data)
    if file is not None:
        (tmp_path / "data.yml").write_text(file)
        # copier takes the keys in command-line order: the file first here.
        args = ["--data-file", str(tmp_path / "data.yml"), *data]
    assert_same(tmp_path, ORDER, args)


@pytest.mark.parametrize("file", ["default_context:\n  a: 1\n", "cookiecutter:\n  b: 2\n",
                                  "context:\n  cookiecutter:\n    c: 3\n"])
def test_a_data_file_with_cookiecutters_wrapper_names_is_answers_to_a_copier_template(tmp_path: Path, file: str) -> None:
    # cookiecutter's forms of answers files are cookiecutter's: copier reads these keys as answers.
    (tmp_path / "data.yml").write_text(file)
    files = {"copier.yml": "default_context: {type: yaml, default: {}}\ncookiecutter: {type: yaml, default: {}}\n"
                           "context: {type: yaml, default: {}}\n",
             "out.txt.jinja": "{{ default_context }} {{ cookiecutter }} {{ context }}\n",
             "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"}
    assert_same(tmp_path, files, ["--data-file", str(tmp_path / "data.yml")])


# MARK: - Jinja: Python methods of str, list and dict

S = "'  Émile\\'s tool-kit ß ǆ\\tx  '"
METHOD_SAMPLES: dict[str, dict[str, list[str]]] = {
    "str": {
        "capitalize": ["'éMILE ß'.capitalize()"], "casefold": ["'Straße ΣΑΣ ﬁ'.casefold()"],
        "center": ["'ab'.center(7, '*')"], "count": ["'banana'.count('an')"],
        "endswith": ["'a.py'.endswith('.py')", "'a.py'.endswith(('.js', '.py'))"],
        "expandtabs": ["'a\\tbc\\td\\n\\tx'.expandtabs()", "'a\\tb'.expandtabs(4)"],
        "find": ["'banana'.find('na')", "'banana'.find('na', 3)", "'banana'.find('x')", "'abc'.find('', 9)"],
        "format": ["'{}-{x}'.format(1, x=2)"], "format_map": ["'{a} and {b}'.format_map({'a': 1, 'b': 'two'})"],
        "index": ["'banana'.index('na')", "'banana'.index('a', -2)"],
        "isalnum": ["'ab12'.isalnum()", "'ab 1'.isalnum()"], "isalpha": ["'Émile'.isalpha()"],
        "isascii": ["'abc'.isascii()", "'é'.isascii()", "''.isascii()"],
        "isdecimal": ["'123'.isdecimal()", "'²'.isdecimal()", "'½'.isdecimal()"],
        "isdigit": ["'123'.isdigit()", "'²'.isdigit()"],
        "isidentifier": ["'snake_case1'.isidentifier()", "'1x'.isidentifier()", "'é_x'.isidentifier()", "''.isidentifier()"],
        "islower": ["'abc'.islower()", "'aBc'.islower()"], "isnumeric": ["'½²3'.isnumeric()", "'x'.isnumeric()"],
        "isprintable": ["'abc d'.isprintable()", "'a\\tb'.isprintable()", "''.isprintable()"],
        "isspace": ["' \\t'.isspace()"], "istitle": ["'Hello World'.istitle()", "'Hello world'.istitle()", "'ǅx'.istitle()"],
        "isupper": ["'ABC'.isupper()"], "join": ["'-'.join(['a', 'b'])"], "ljust": ["'ab'.ljust(5, '.')"],
        "lower": ["'ÀΣ'.lower()"], "lstrip": [S + ".lstrip()"],
        "partition": ["'a=b=c'.partition('=')|list", "'abc'.partition('=')[0]"],
        "removeprefix": ["'prefix_name'.removeprefix('prefix_')", "'name'.removeprefix('x')"],
        "removesuffix": ["'file.tar.gz'.removesuffix('.gz')", "'file'.removesuffix('')"],
        "replace": ["'aaa'.replace('a', 'b', 2)"],
        "rfind": ["'banana'.rfind('na')", "'banana'.rfind('na', 0, 4)", "'abc'.rfind('')"],
        "rindex": ["'banana'.rindex('a')"], "rjust": ["'ab'.rjust(5)"],
        "rpartition": ["'a=b=c'.rpartition('=')|list", "'abc'.rpartition('=')[2]"],
        "rsplit": ["'a b c'.rsplit(None, 1)", "'  a  b  c '.rsplit(None, 1)", "'a,b,c'.rsplit(',', 1)"], "rstrip": [S + ".rstrip()"],
        "split": ["'a,b,,c'.split(',')", "'  a  b '.split()", "' a  b  c '.split(None, 1)", "'a b'.split(maxsplit=0)"], "splitlines": ["'a\\nb\\r\\nc'.splitlines()"],
        "startswith": ["'abc'.startswith('ab')"], "strip": [S + ".strip()", "'xxhixx'.strip('x')"],
        "swapcase": ["'Hello ß Wörld'.swapcase()"],
        "title": ["\"Émile's tool-kit\".title()", "'hello_world 2nd ǆx'.title()", S + ".title()"],
        "upper": ["'straße'.upper()"], "zfill": ["'-42'.zfill(6)"],
    },
    "list": {"copy": ["[1, 2].copy()"], "count": ["[1, 2, 1].count(1)"], "index": ["['a', 'b', 'a'].index('a', 1)"]},
    "dict": {
        "copy": ["{'a': 1}.copy()"], "fromkeys": ["{}.fromkeys(['a', 'b'], 0)", "{}.fromkeys('xy')"],
        "get": ["{'a': 1}.get('a')", "{'a': 1}.get('b', 2)"], "items": ["{'a': 1, 'b': 2}.items()|map('last')|list"],
        "keys": ["{'a': 1, 'b': 2}.keys()|list"], "values": ["{'a': 1}.values()|list"],
    },
}
# (A tuple prints as a list here, so the samples print a method's tuple through `|list` or an index.)
# Methods templates cannot have here, and why: each is refused by name when called, never ignored.
METHODS_REFUSED: dict[str, list[str]] = {
    "str": ["encode", "maketrans", "translate"],
    "list": ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"],
    "dict": ["clear", "pop", "popitem", "setdefault", "update"],
}
RECEIVERS = {"str": "'text'", "list": "[3, 1, 2]", "dict": "{'a': 1}"}


def python_methods(kind: type) -> set[str]:
    return {name for name in dir(kind) if not name.startswith("_")}


@pytest.mark.parametrize("kind", [str, list, dict])
def test_the_method_tables_cover_every_python_method(kind: type) -> None:
    name = kind.__name__
    covered = set(METHOD_SAMPLES[name]) | set(METHODS_REFUSED[name])
    assert covered == python_methods(kind), f"missing: {python_methods(kind) - covered}, extra: {covered - python_methods(kind)}"


def test_python_methods_render_as_jinja2_renders_them(tmp_path: Path) -> None:
    import jinja2
    expressions = [expr for methods in METHOD_SAMPLES.values() for samples in methods.values() for expr in samples]
    template = "".join("{{ " + expr + " }}\n@@\n" for expr in expressions)
    expected = jinja2.Environment(keep_trailing_newline=True).from_string(template).render()
    (tmp_path / "methods.txt").write_text(template)
    ours = subprocess.run([str(BIN), "render", str(tmp_path / "methods.txt")], check=False, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 0, ours.stderr
    for expr, want, got in zip(expressions, expected.split("\n@@\n"), ours.stdout.split("\n@@\n")):
        assert got == want, f"{expr}: Jinja2 {want!r}, mlrepro {got!r}"
    assert ours.stdout == expected


@pytest.mark.parametrize("kind,method", [(kind, method) for kind, methods in METHODS_REFUSED.items() for method in methods])
def test_methods_without_a_counterpart_are_refused_by_name(tmp_path: Path, kind: str, method: str) -> None:
    (tmp_path / "t.txt").write_text("{{ " + RECEIVERS[kind] + "." + method + "() }}\n")
    ours = subprocess.run([str(BIN), "render", str(tmp_path / "t.txt")], check=False, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 2
    assert f"{kind}.{method}() is not supported: " in ours.stderr, ours.stderr
    # Defined as an attribute (as in Python), refused only when called.
    (tmp_path / "d.txt").write_text("{{ " + RECEIVERS[kind] + "." + method + " is defined }}\n")
    defined = subprocess.run([str(BIN), "render", str(tmp_path / "d.txt")], check=False, capture_output=True, text=True, timeout=60)
    assert defined.stdout == "True\n", defined.stderr


# MARK: - Settings

SUBDIRECTORY = {
    "copier.yml": "flavor:\n  type: str\n  choices: [lib, app]\n  default: lib\n_subdirectory: \"{{ flavor }}-tpl\"\n",
    "lib-tpl/README.md.jinja": "lib {{ flavor }}\n",
    "lib-tpl/{{ flavor }}.txt": "plain\n",
    "app-tpl/main.py.jinja": "print('{{ flavor }}')\n",
    "docs.md": "not copied\n",
}


@pytest.mark.parametrize("data", [[], ["--data", "flavor=app"]])
def test_subdirectory_is_rendered_with_the_answers(tmp_path: Path, data: list[str]) -> None:
    assert_same(tmp_path, SUBDIRECTORY, data)


# MARK: - Jinja globals

PATHJOIN = {
    "copier.yml": "base: {default: \"{{ pathjoin('src', 'pkg') }}\"}\n"
                  "pick:\n  type: str\n  choices: [\"{{ pathjoin('a', 'b') }}\", c]\n  default: a/b\n"
                  "  validator: \"{% if pick != pathjoin('a', 'b') %}bad{% endif %}\"\n"
                  "hidden: {default: h, when: \"{{ pathjoin('x') == 'x' }}\"}\n"
                  "_tasks:\n  - \"echo {{ pathjoin('t', 'u') }} > task.txt\"\n",
    "{{ pathjoin('dir', 'sub') }}/f.txt": "x\n",
    "out.txt.jinja": "{{ base }} {{ pick }} {{ hidden }}\n{{ pathjoin('a', '/b', 'c/', './d', '', 'e') }}\n"
                     "{{ pathjoin() }} {{ pathjoin('//x', 'y') }} {{ pathjoin('///x') }} {{ pathjoin('a/../b') }}\n"
                     "{{ pathjoin('a', 'b', mode='windows') }} {{ pathjoin('C:/x', 'y', mode='windows') }}"
                     " {{ pathjoin('a', '/b', mode='windows') }} {{ pathjoin('a', mode='native') }}\n"
                     "{% from 'm.jinja' import j %}{{ j() }}\n",
    "m.jinja": "{% macro j() %}{{ pathjoin('in', 'macro') }}{% endmacro %}",
}


def test_pathjoin_everywhere_templates_are_rendered(tmp_path: Path) -> None:
    assert_same(tmp_path, PATHJOIN)
    assert (tmp_path / "b" / "out" / "task.txt").read_text() == "t/u\n"


def test_make_secret_makes_128_hex_digits(tmp_path: Path) -> None:
    files = {"copier.yml": "secret: {default: \"{{ make_secret() }}\", secret: true}\n",
             "out.txt.jinja": "{{ secret|length }} {{ make_secret()|length }} {{ make_secret() != make_secret() }}"
                              " {{ secret|regex_search('^[0-9a-f]+$') == secret }}\n"}
    assert_same(tmp_path, files)


HTML_FILTERS = {
    "copier.yml": "name: {default: '<b>Ann</b> &amp; co'}\nsize: {type: int, default: 1536000}\n",
    "out.txt.jinja": "{{ size|filesizeformat }} {{ size|filesizeformat(true) }} {{ 1|filesizeformat }}\n"
                     "{{ name|forceescape }}|{{ name|striptags }}|{{ '&copy;&#x1F680;<!-- c -->x'|striptags }}\n"
                     "<a{{ {'class': name, 'skip': none, 'n': 3}|xmlattr }}>\n"
                     "{{ 'see www.example.org, (http://e.com/x(y)) or a@b.co'|urlize(12, target='_blank') }}\n"
                     "{% set row = cycler('odd', 'even') %}{% for x in range(3) %}{{ row.next() }} {% endfor %}{{ row.current }}\n"
                     "{% set comma = joiner(' / ') %}{% for x in ['a', 'b', 'c'] %}{{ comma() }}{{ x }}{% endfor %}\n",
}


def test_html_filters_cycler_and_joiner_render_like_copier(tmp_path: Path) -> None:
    assert_same(tmp_path, HTML_FILTERS)


# A markup-safe string (Markup): escaped once, kept by the filters and methods that keep it.
MARKUP = {
    "copier.yml": "name: {default: '<b>Ann</b> &amp; co'}\n",
    "out.txt.jinja": "{{ name|e|e }}|{{ name|safe|e }}|{{ (name|e) + '<b>' }}|{{ '<b>' + name|safe }}|{{ (name|e) ~ '<b>' }}\n"
                     "{{ (name|e).upper()|e }}|{{ (name|safe).replace('Ann', '<i>')|e }}|{{ name|safe|urlize }}|{{ ('%s'|safe) % name }}\n"
                     "{{ name|e|trim|e }}|{{ name|safe|truncate(9, true, '<>')|e }}|{{ (name|safe)[1:4]|e }}|{{ name|safe|title|e }}\n",
}


def test_markup_safe_strings_render_like_copier(tmp_path: Path) -> None:
    assert_same(tmp_path, MARKUP)


def test_lipsum_is_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"copier.yml": "name: {default: demo}\n", "out.txt.jinja": "{{ lipsum() }}\n"})
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--quiet"],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=120)
    assert ours.returncode == 2, ours.stderr
    assert re.search(r"out\.txt\.jinja:1:\d+: error: lipsum\(\) is not supported: Jinja2's lipsum makes random text", ours.stderr), ours.stderr
    assert not (tmp_path / "out").exists()


# MARK: - Python extensions

CONTEXT_HOOK = {
    "copier.yml": "_jinja_extensions: [copier_template_extensions.TemplateExtensionLoader, extensions.py:Hook]\n_exclude: [copier.yml, extensions.py]\nname: {default: demo}\n",
    "extensions.py": "from collections.abc import Mapping\nfrom types import MappingProxyType\n"
                     "from copier_template_extensions import ContextHook\n\n\n"
                     "class Frozen(Mapping):\n    def __init__(self, data):\n        self._data = dict(data)\n\n"
                     "    def __getitem__(self, key):\n        return self._data[key]\n\n"
                     "    def __iter__(self):\n        return iter(self._data)\n\n"
                     "    def __len__(self):\n        return len(self._data)\n\n\n"
                     "class Hook(ContextHook):\n    def hook(self, context):\n"
                     "        return Frozen({'cfg': MappingProxyType({'name': context.get('name', ''), 'n': (1, 2)}), 'upper': str(context.get('name', '')).upper()})\n",
    "out.txt.jinja": "{{ cfg.name }} {{ cfg['n'][1] }} {{ cfg is mapping }} {{ upper }} {% for k in cfg %}{{ k }},{% endfor %}\n",
}


def test_a_context_hook_may_return_any_mapping(tmp_path: Path) -> None:
    assert_same(tmp_path, CONTEXT_HOOK)
    assert (tmp_path / "b" / "out" / "out.txt").read_text() == "demo 2 True DEMO name,n,\n"


def test_a_context_hook_sees_src_path_as_its_text(tmp_path: Path) -> None:
    files = dict(CONTEXT_HOOK)
    files["extensions.py"] = ("from copier_template_extensions import ContextHook\n\n\n"
                              "class Hook(ContextHook):\n    def hook(self, context):\n"
                              "        return {'src': str(context['_copier_conf']['src_path'])}\n")
    files["out.txt.jinja"] = "{{ src }}|{{ _copier_conf.src_path.name }}\n"
    assert_same(tmp_path, files)
    assert (tmp_path / "b" / "out" / "out.txt").read_text() == f"{tmp_path / 'tpl'}|tpl\n"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=environment(cwd))


def commit_and_tag(template: Path, tag: str, files: dict[str, str], first: bool = False) -> None:
    write(template, files)
    if first:
        git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-q", "-m", tag, cwd=template)
    git("tag", tag, cwd=template)


GIT_TASK_TEMPLATE = {
    "copier.yml": "name: {default: demo}\n_tasks:\n  - \"sh {{ _copier_conf.src_path }}/scripts/make.sh {{ name }}\"\n"
                  "  - [sh, \"{{ _copier_conf.src_path / 'scripts' / 'make.sh' }}\", again]\n"
                  "_exclude: [copier.yml, scripts, data.txt]\n",
    "scripts/make.sh": "echo \"$1 $(cat \"$(dirname \"$0\")/../data.txt\")\" >> made.txt\n",
    "data.txt": "from the template\n",
    "out.txt.jinja": "{{ name }}\n",
}


def test_tasks_run_files_of_a_git_templates_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A git template's tasks find the template's own files under `_copier_conf.src_path` (copier's clone;
    mlrepro's copy for the run, removed when it ends)."""
    commit_and_tag(tmp_path / "tpl", "v1", GIT_TASK_TEMPLATE, first=True)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    copier, ours = run_both(tmp_path, None)
    assert copier.returncode == 0 and ours.returncode == 0, copier.stderr + ours.stderr
    expected = {path: data for path, data in snapshot(tmp_path / "a" / "out").items() if not path.startswith(".git")}
    assert snapshot(tmp_path / "b" / "out") == expected  # copier also runs `git init` here; mlrepro has --no-git
    assert (tmp_path / "b" / "out" / "made.txt").read_text() == "demo from the template\nagain from the template\n"
    assert list((tmp_path / "tmp").glob("mlrepro-template-*")) == []


def test_migrations_run_files_of_a_git_templates_checkout(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    commit_and_tag(template, "v1", {"copier.yml": "name: {default: demo}\n",
                                    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
                                    "README.md.jinja": "# {{ name }}\n"}, first=True)
    commit_and_tag(template, "v2", {"copier.yml": "name: {default: demo}\n_exclude: [copier.yml, migrate.sh]\n_migrations:\n"
                                                  "  - version: v2\n    command: \"sh {{ _copier_conf.src_path }}/migrate.sh {{ _stage }}\"\n",
                                    "migrate.sh": "echo \"migrated $1\" >> migrations.log\n",
                                    "README.md.jinja": "# {{ name }} v2\n"})
    env = environment(tmp_path)
    copied_at_v1(template, tmp_path, env)
    copier = subprocess.run([str(COPIER), "update", "--defaults", "--quiet", "--trust", "--vcs-ref", "v2"],
                            cwd=tmp_path / "a", env=env, capture_output=True, text=True, timeout=120)
    assert copier.returncode == 0, copier.stderr
    ours = subprocess.run([str(BIN), "update", "b", "--vcs-ref", "v2", "--trust"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert ours.returncode == 0, ours.stdout + ours.stderr
    log = (tmp_path / "a" / "migrations.log").read_text()
    assert log == "migrated after\n"
    assert (tmp_path / "b" / "migrations.log").read_text() == log


def copier_settings() -> set[str]:
    """The settings copier's Template reads from copier.yml, from copier's own source."""
    import copier._template as template
    source = Path(template.__file__).read_text()
    return {"_" + name for name in re.findall(r'config_data(?:\.get\(|\[)"([a-z_]+)"', source)} | \
        set(re.findall(r'_raw_config\.get\("(_[a-z_]+)"', source))


def test_every_copier_setting_is_known_and_no_other(tmp_path: Path) -> None:
    settings = copier_settings()
    assert "_message_before_update" in settings and "_migrations" in settings
    values = {"_answers_file": ".copier-answers.yml", "_envops": "{}", "_exclude": "[copier.yml]", "_external_data": "{}",
              "_jinja_extensions": "[]", "_migrations": "[]", "_min_copier_version": "'9.0.0'", "_preserve_symlinks": "false",
              "_secret_questions": "[]", "_skip_if_exists": "[]", "_subdirectory": "''", "_tasks": "[]",
              "_templates_suffix": ".jinja"}
    manifest = "".join(f"{name}: {values.get(name, 'hello')}\n" for name in sorted(settings)) + "_use_prereleases: true\nname: {default: n}\n"
    ours = assert_same(tmp_path, {"copier.yml": manifest, "out.txt.jinja": "{{ name }}\n"})
    warned = set(re.findall(r"unknown setting '(_[a-z_]+)'", ours.stderr))
    assert warned == {"_use_prereleases"}, ours.stderr


def test_update_prints_the_update_messages(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    files = {"copier.yml": "name: {default: demo}\n_message_before_update: \"updating {{ name }}\"\n"
                           "_message_after_update: \"updated {{ name }}\"\n",
             "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
             "README.md.jinja": "# {{ name }}\n"}
    commit_and_tag(template, "v1", files, first=True)
    env = environment(tmp_path)
    made = subprocess.run([str(BIN), "init", "proj", "--template", "./tpl", "--vcs-ref", "v1", "--defaults", "--no-probe"],
                          cwd=tmp_path, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert "updating" not in made.stdout and "unknown setting" not in made.stderr
    commit_and_tag(template, "v2", {"README.md.jinja": "# {{ name }} v2\n"})
    update = subprocess.run([str(BIN), "update", "proj", "--vcs-ref", "v2"], cwd=tmp_path, env=env, check=False, capture_output=True,
                            text=True, timeout=120)
    assert update.returncode == 0, update.stdout + update.stderr
    lines = update.stdout.splitlines()
    assert lines[0] == "updating demo" and lines[-1] == "updated demo", update.stdout


# MARK: - Files and paths

TWINS = {
    "copier.yml": "name: {default: demo}\n",
    "README.txt": "plain\n",
    "README.txt.jinja": "rendered {{ name }}\n",
    "sub/conf.ini": "plain\n",
    "sub/conf.ini.jinja": "rendered\n",
    "{{ name }}.md": "plain, rendered path\n",
    "demo.md.jinja": "templated twin at the root\n",
    "only-plain.txt": "kept\n",
}


@pytest.mark.parametrize("data", [[], ["--data", "name=other"]])
def test_a_plain_file_beside_its_templated_twin_is_skipped(tmp_path: Path, data: list[str]) -> None:
    assert_same(tmp_path, TWINS, data)


# MARK: - Tasks

FAILING_TASK = {
    "copier.yml": "name: {default: demo}\n_tasks:\n  - \"touch made-by-task\"\n  - \"exit 3\"\n",
    "out.txt.jinja": "{{ name }}\n",
}


def test_a_failing_task_removes_the_new_project_unless_no_cleanup(tmp_path: Path) -> None:
    copier, ours = run_both(tmp_path, FAILING_TASK)
    assert copier.returncode != 0 and not (tmp_path / "a" / "out").exists()
    assert ours.returncode != 0 and not (tmp_path / "b" / "out").exists(), ours.stderr
    assert "the new project was removed again" in ours.stderr
    copier, ours = run_both(tmp_path, None, copier_args=["--no-cleanup"], ours_args=["--no-cleanup"])
    assert copier.returncode != 0 and ours.returncode != 0
    assert (tmp_path / "a" / "out" / "made-by-task").exists() and (tmp_path / "b" / "out" / "made-by-task").exists()
    assert (tmp_path / "b" / "out" / "out.txt").read_text() == "demo\n"


# MARK: - Versions

@pytest.mark.parametrize("tags", [["v1.0", "v1"], ["v1", "v1.0"], ["v2.0.0", "2.0", "v2"], ["1.0.0", "v1.0"]])
def test_of_tags_equal_under_pep440_the_one_copier_picks_is_used(tmp_path: Path, tags: list[str]) -> None:
    template = tmp_path / "tpl"
    for index, tag in enumerate(tags):
        commit_and_tag(template, tag, {"copier.yml": "name: {default: n}\n", "which.txt": f"{tag}\n",
                                       "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"},
                       first=index == 0)
    assert_same(tmp_path, None)


NO_COMMITS = {"copier.yml": "name: {default: demo}\n", "a.txt.jinja": "{{ name }}\n",
              "{{ _copier_conf.answers_file }}.jinja": "{% for k, v in _copier_answers.items() if k != '_commit' %}{{ k }}: {{ v }}\n{% endfor %}"}


def test_a_git_template_with_no_commits_renders_its_working_tree(tmp_path: Path) -> None:
    write(tmp_path / "tpl", NO_COMMITS)
    git("init", "-q", cwd=tmp_path / "tpl")
    ours = assert_same(tmp_path, None)
    assert "has no commits yet; rendering its working tree" in ours.stderr


def test_vcs_ref_head_renders_uncommitted_changes(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    commit_and_tag(template, "v1", NO_COMMITS, first=True)
    (template / "a.txt.jinja").write_text("{{ name }} changed\n")
    (template / "new.txt").write_text("not committed\n")
    assert_same(tmp_path, None, ["--vcs-ref", "HEAD"])
    assert (tmp_path / "b" / "out" / "a.txt").read_text() == "demo changed\n"


# MARK: - Context

CONTEXT = {
    "copier.yml": "name: {default: \"{{ _copier_phase }}\"}\n_message_after_copy: \"{{ _copier_phase }}\"\n"
                  "_tasks:\n  - \"echo {{ _copier_phase }} > phase.txt\"\n",
    "out.txt.jinja": "{{ name }} {{ _copier_phase }}\n"
                     "{% for key in ['exclude', 'use_prereleases', 'skip_if_exists', 'cleanup_on_error', 'defaults',"
                     " 'user_defaults', 'overwrite', 'pretend', 'conflict', 'context_lines', 'unsafe',"
                     " 'skip_answered', 'skip_tasks', 'sep', 'os', 'answers_file', 'vcs_ref', 'vcs_ref_hash'] %}"
                     "{{ key }}={{ _copier_conf[key] }}\n{% endfor %}{{ _copier_conf.data.name }} {{ _folder_name }} {{ _copier_conf.src_path }}\n",
}


SRC_PATH = {
    "copier.yml": "name: {default: demo}\n",
    "out.txt.jinja": "{% set p = _copier_conf.src_path %}[{{ p }}] [{{ p.name }}] [{{ p.parent }}] [{{ p.parent.name }}] [{{ p / 'sub' }}]"
                     " [{{ (p / 'a' / 'x.tar.gz').name }}] [{{ (p / 'x.tar.gz').suffix }}] [{{ (p / 'x.tar.gz').stem }}]"
                     " [{{ p / '/abs//y/' }}] [{{ (p / '.' / 'q//r/').name }}] [{{ p ~ '/z' }}] [{{ p|replace('/', ':') }}]"
                     " [{{ p|string == p ~ '' }}] [{{ p is string }}] [{{ p is callable }}] [{{ (p / '.hidden').suffix }}]\n",
}


def test_src_path_is_a_path_like_copiers(tmp_path: Path) -> None:
    assert_same(tmp_path, SRC_PATH)
    assert (tmp_path / "b" / "out" / "out.txt").read_text().startswith(f"[{tmp_path / 'tpl'}] [tpl] [{tmp_path}] ")


def test_src_path_attributes_without_a_counterpart_are_refused(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"copier.yml": "name: {default: demo}\n", "out.txt.jinja": "{{ _copier_conf.src_path.exists() }}\n"})
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--quiet"],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=120)
    assert ours.returncode == 2, ours.stderr
    assert re.search(r"out\.txt\.jinja:1:\d+: error: path attribute 'exists' is not supported", ours.stderr), ours.stderr
    assert not (tmp_path / "out").exists()


ASK_AND_PATH = {
    "copier.yml": "a: {type: str, default: x, ask: false}\nb: {type: int, ask: false}\nc: {type: path, default: some/dir}\n"
                  "d: {type: str, default: \"{{ a }}-d\", ask: \"{{ a == 'y' }}\"}\n"
                  "e: {type: path, default: 7, ask: 'no', when: \"{{ a != 'z' }}\"}\n",
    "out.txt.jinja": "{{ a }} [{{ b is defined }}] {{ c }} {{ d }} {{ e|default('-') }} {{ c is string }}\n",
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}",
}


@pytest.mark.parametrize("data", [[], ["--data", "a=y"], ["--data", "a=z", "--data", "b=4", "--data", "c=/abs/p"]])
def test_ask_and_path_questions_render_like_copier(tmp_path: Path, data: list[str]) -> None:
    """`ask: false` answers with the default (none: unanswered, no error); `type: path` is a string."""
    assert_same(tmp_path, ASK_AND_PATH, data)


def test_ask_must_be_a_bool_or_a_template(tmp_path: Path) -> None:
    assert_both_refuse(tmp_path, {"copier.yml": "a: {default: x, ask: [1]}\n", "f.txt.jinja": "{{ a }}\n"},
                       r"copier\.yml:1:\d+: error: question 'a': ask must be a bool or a template string")


MANIFESTLESS = {"a.txt.jinja": "hi {{ 1 + 1 }} [{{ _copier_conf.answers_file }}]\n", "sub/b.txt": "plain {{ x }}\n",
                "{{ 'named' }}.txt.jinja": "{{ _copier_answers|to_nice_yaml }}"}


def test_a_folder_without_a_manifest_named_by_template_renders_like_copier(tmp_path: Path) -> None:
    assert_same(tmp_path, MANIFESTLESS)
    assert (tmp_path / "b" / "out" / "a.txt").read_text() == "hi 2 [.copier-answers.yml]\n"


def test_a_folder_without_a_manifest_is_read_only_when_the_command_line_names_it(tmp_path: Path) -> None:
    """`check` reads such a folder with `--template DIR`, never because the project's record names it."""
    write(tmp_path / "tpl", MANIFESTLESS)
    env = environment(tmp_path)
    made = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-probe", "--quiet"],
                          cwd=tmp_path, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    refused = subprocess.run([str(BIN), "check", "out"], cwd=tmp_path, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "tpl has no template manifest" in refused.stderr and "pass --template DIR" in refused.stderr, refused.stderr
    named = subprocess.run([str(BIN), "check", "out", "--template", "tpl"], cwd=tmp_path, env=env, check=False,
                           capture_output=True, text=True, timeout=120)
    assert named.returncode == 0, named.stdout + named.stderr
    again = subprocess.run([str(BIN), "init", "again", "--answers", "out/.mlrepro/answers.yml", "--defaults", "--no-probe"],
                           cwd=tmp_path, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "no template manifest" in again.stderr, again.stderr
    assert not (tmp_path / "again").exists()


def test_a_large_folder_without_a_manifest_is_refused_unread(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {f"d{index // 100}/f{index}.txt": "" for index in range(995)})
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-probe", "--no-git"],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=120)
    assert ours.returncode == 2, ours.stderr
    assert "tpl has no template manifest" in ours.stderr and "at most 1000 files and folders" in ours.stderr, ours.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_without_a_manifest_is_no_cookiecutter_template(tmp_path: Path) -> None:
    """cookiecutter refuses a folder without cookiecutter.json; so does --format cookiecutter."""
    write(tmp_path / "tpl", MANIFESTLESS)
    cookiecutter = subprocess.run([str(COPIER.parent / "cookiecutter"), "--no-input", "tpl"], cwd=tmp_path,
                                  env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=120)
    assert cookiecutter.returncode != 0 and "valid repository" in cookiecutter.stderr + cookiecutter.stdout
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--format", "cookiecutter", "--defaults", "--no-probe"],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=120)
    assert ours.returncode == 2 and "--format cookiecutter: " in ours.stderr, ours.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("form", ["relative", "dot-slash", "absolute", "tilde"])
def test_init_then_check_is_clean_for_every_form_of_template_path(tmp_path: Path, form: str) -> None:
    """`_src_path` is recorded as `--template` was given (copier's form), and `check` renders it
    so again, whether the template was named relatively, absolutely or from `~`."""
    given = {"relative": "../tpl", "dot-slash": "./tpl/", "absolute": str(tmp_path / "tpl"), "tilde": "~/tpl"}[form]
    cwd = tmp_path / "b" if form == "relative" else tmp_path
    cwd.mkdir(exist_ok=True)
    write(tmp_path / "tpl", {"copier.yml": "name: {default: demo}\n", "f.txt.jinja": "{{ name }} {{ _copier_answers._src_path }}\n",
                             "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"})
    env = environment(tmp_path)
    ours = subprocess.run([str(BIN), "init", "out", "--template", given, "--defaults", "--no-probe", "--quiet"],
                          cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=120)
    assert ours.returncode == 0, ours.stderr
    assert (cwd / "out" / ".copier-answers.yml").read_text() == f"_src_path: {given}\nname: demo\n"
    if form != "tilde":  # copier reads `~` literally (no such folder); the shell expands it first
        copier = subprocess.run([str(COPIER), "copy", "--defaults", "--quiet", given, "ref"], cwd=cwd, env=env,
                                check=False, capture_output=True, text=True, timeout=120)
        assert copier.returncode == 0, copier.stderr
        assert (cwd / "ref" / ".copier-answers.yml").read_text() == (cwd / "out" / ".copier-answers.yml").read_text()
        assert (cwd / "ref" / "f.txt").read_text() == (cwd / "out" / "f.txt").read_text()
    for where in [cwd, tmp_path / "tpl"]:  # check from where init ran and from elsewhere
        check = subprocess.run([str(BIN), "check", str(cwd / "out")], cwd=where, env=env,
                               check=False, capture_output=True, text=True, timeout=120)
        assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("data", [[], ["--data", "name=given", "--data", "extra=3"]])
def test_copier_phase_and_conf_options(tmp_path: Path, data: list[str]) -> None:
    assert_same(tmp_path, CONTEXT, data)
    assert (tmp_path / "b" / "out" / "phase.txt").read_text() == "tasks\n"


# MARK: - One fixture per setting and question field

SETTING_FIXTURES: dict[str, dict[str, str]] = {
    "templates-suffix": {"copier.yml": "_templates_suffix: .tmpl\nname: {default: demo}\n",
                         "a.txt.tmpl": "{{ name }}\n", "b.txt.jinja": "{{ name }}\n"},
    "empty-templates-suffix": {"copier.yml": "_templates_suffix: ''\nname: {default: demo}\n", "a.txt": "{{ name }}\n"},
    "envops": {"copier.yml": "_envops:\n  block_start_string: '[%'\n  block_end_string: '%]'\n  variable_start_string: '[['\n"
                             "  variable_end_string: ']]'\n  keep_trailing_newline: false\n  trim_blocks: true\n  lstrip_blocks: true\n"
                             "name: {default: demo}\n",
               "a.txt.jinja": "  [% if true %]\n[[ name ]] {{ kept }}\n  [% endif %]\nend\n"},
    "secret-questions": {"copier.yml": "_secret_questions: [token]\ntoken: {default: t0k}\nname: {default: demo}\n",
                         "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}", "t.txt.jinja": "{{ token }}\n"},
    "min-copier-version": {"copier.yml": "_min_copier_version: '9.0.0'\nname: {default: demo}\n", "a.txt.jinja": "{{ name }}\n"},
    "messages": {"copier.yml": "_message_before_copy: before {{ name }}\n_message_after_copy: after {{ name }}\nname: {default: demo}\n",
                 "a.txt.jinja": "{{ name }}\n"},
    "question-types": {"copier.yml": "s: {type: str, default: text}\ni: {type: int, default: '7'}\nf: {type: float, default: 2}\n"
                                     "b: {type: bool, default: 'yes'}\nj: {type: json, default: '{\"a\": [1, 2]}'}\n"
                                     "y: {type: yaml, default: 'k: [x, y]'}\ninferred: 3\n"
                                     "ml: {type: str, multiline: true, default: \"a\\nb\"}\n"
                                     "h: {type: str, help: Help text, placeholder: hint, qmark: '?', default: h}\n"
                                     "v: {type: int, default: 5, validator: \"{% if v > 9 %}too big{% endif %}\"}\n"
                                     "w: {type: str, default: hidden, when: \"{{ i > 10 }}\"}\n",
                       "a.txt.jinja": "{{ s }} {{ i + 1 }} {{ f }} {{ b }} {{ j.a[1] }} {{ y.k|join('+') }} {{ inferred * 2 }}\n"
                                      "{{ ml }}|{{ h }} {{ v }} {{ w }}\n",
                       "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"},
}


@pytest.mark.parametrize("name", sorted(SETTING_FIXTURES))
def test_setting_renders_like_copier(tmp_path: Path, name: str) -> None:
    assert_same(tmp_path, SETTING_FIXTURES[name])


def test_copy_messages_are_printed_around_the_files(tmp_path: Path) -> None:
    write(tmp_path / "tpl", SETTING_FIXTURES["messages"])
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe"], cwd=tmp_path,
                          env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=60)
    lines = ours.stdout.splitlines()
    assert ours.returncode == 0 and lines[0] == "before demo" and lines[-1] == "after demo", ours.stdout


def test_skip_if_exists_keeps_existing_files(tmp_path: Path) -> None:
    files = {"copier.yml": "_skip_if_exists: [keep.txt, 'cfg/*.ini']\nname: {default: demo}\n",
             "keep.txt.jinja": "new {{ name }}\n", "cfg/a.ini": "new\n", "other.txt": "new\n"}
    for side in ("a", "b"):
        write(tmp_path / side / "out", {"keep.txt": "mine\n", "cfg/a.ini": "mine\n", "other.txt": "mine\n"})
    assert_same(tmp_path, files, copier_args=["--overwrite"], ours_args=["--force"])
    assert (tmp_path / "b" / "out" / "keep.txt").read_text() == "mine\n"
    assert (tmp_path / "b" / "out" / "other.txt").read_text() == "new\n"


# MARK: - The matrix itself

def matrix_rows() -> list[list[str]]:
    rows = []
    for line in MATRIX.read_text().splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells[0] in ("Feature", "Setting", "Field", "Name", "copier"):
            continue
        rows.append(cells)
    return rows


def defined_test_names() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "Tests").rglob("*"):
        if "Fixtures" in path.relative_to(REPO / "Tests").parts[:1]:
            continue  # generated projects and templates: their tests are not mlrepro's
        if path.suffix == ".py":
            names |= set(re.findall(r"^def (test_\w+)", path.read_text(errors="replace"), re.MULTILINE))
        elif path.suffix == ".swift":
            text = path.read_text(errors="replace")
            names |= set(re.findall(r"\bfunc (\w+)\(", text)) | set(re.findall(r"\bstruct (\w+)", text))
    return names


def test_every_supported_row_names_a_test() -> None:
    rows = matrix_rows()
    assert len(rows) > 60, "the matrix lost its rows"
    defined = defined_test_names()
    for cells in rows:
        supported = any(cell.startswith(("yes", "partly")) for cell in cells[1:])
        # A Python test function, or a Swift one (camelCase).
        named = re.findall(r"`(test_\w+|[a-z]+[A-Z]\w*)`", " ".join(cells))
        if supported:
            assert named, f"row {cells[0]!r} is supported but names no test"
            missing = [name for name in named if name not in defined]
            assert not missing, f"row {cells[0]!r} names tests that do not exist: {missing}"
        else:
            assert any(cell.startswith("no") for cell in cells[1:]), f"row {cells[0]!r} says neither yes, partly nor no"
            assert len(cells[-1]) > 10, f"row {cells[0]!r} is unsupported but does not say what the user sees"


def test_the_matrix_lists_every_copier_setting() -> None:
    text = MATRIX.read_text()
    settings = copier_settings()
    assert "_message_before_update" in settings and "_migrations" in settings, "copier's settings were not found"
    for setting in settings:
        assert f"`{setting}`" in text, f"{setting} is missing from {MATRIX.name}"


# MARK: - Folder modes: made under the user's umask, whatever mode the template's folder has

@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_folders_are_made_under_the_umask_as_copier_makes_them(tmp_path: Path, mask: int) -> None:
    write(tmp_path / "tpl", {"copier.yml": "name: {type: str, default: x}\n", "open/deep/f.txt.jinja": "{{ name }}\n",
                             "private/g.txt": "g\n", "{{ name }}-dir/h.txt": "h\n"})
    os.chmod(tmp_path / "tpl" / "private", 0o700)
    os.chmod(tmp_path / "tpl" / "open", 0o775)
    previous = os.umask(mask)
    try:
        assert_same(tmp_path, None)
    finally:
        os.umask(previous)
    made = tmp_path / "b" / "out"
    for folder in ["open", "open/deep", "private", "x-dir"]:
        assert stat.S_IMODE((made / folder).stat().st_mode) == 0o777 & ~mask, folder
