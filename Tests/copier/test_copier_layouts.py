"""copier behaviours of template layouts and questions, each a small fixture rendered by copier 9.19.1
and by mlrepro and compared file by file (modes included), or refused by both. Rows of
`Docs/compatibility-copier.md` name these tests."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from test_copier_compat import write
from test_copier_features import BIN, assert_both_refuse, assert_same, environment, git

# MARK: - Links to folders

def linked_folders(root: Path, subdirectory: bool) -> None:
    """A template whose files reach shared folders through links (a folder outside `_subdirectory`
    included), with a rendered file and a link to a file inside the linked folder."""
    inner = "sub/" if subdirectory else ""
    write(root, {"copier.yml": ("_subdirectory: sub\n" if subdirectory else "_exclude: [copier.yml, shared, .git]\n")
                 + "name: {default: study}\n",
                 "shared/index.md": "index\n", "shared/n.txt.jinja": "{{ name }}\n", "shared/deep/x.txt": "x\n",
                 f"{inner}a.txt": "a\n"})
    os.symlink("index.md", root / "shared" / "alias.md")
    os.symlink("../shared" if subdirectory else "shared", root / f"{inner}docs")
    os.symlink("../shared/deep" if subdirectory else "shared/deep", root / f"{inner}deep-link")


@pytest.mark.parametrize("subdirectory", [True, False])
@pytest.mark.parametrize("git_state", ["none", "committed", "uncommitted"])
def test_links_to_folders_are_followed_like_copier(tmp_path: Path, subdirectory: bool, git_state: str) -> None:
    linked_folders(tmp_path / "tpl", subdirectory)
    args: list[str] = []
    if git_state != "none":
        git("init", "-q", "-b", "main", cwd=tmp_path / "tpl")
        git("add", "copier.yml" if git_state == "uncommitted" else "-A", cwd=tmp_path / "tpl")
        git("commit", "-q", "-m", "v1", cwd=tmp_path / "tpl")
        args = ["--vcs-ref", "HEAD"]
    assert_same(tmp_path, None, args)
    made = tmp_path / "b" / "out"
    assert (made / "docs" / "n.txt").read_text() == "study\n"
    assert (made / "docs" / "alias.md").read_text() == "index\n"
    assert (made / "deep-link" / "x.txt").is_file() and not (made / "docs").is_symlink()


def test_a_folder_link_is_kept_as_a_link_with_preserve_symlinks(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"copier.yml": "_preserve_symlinks: true\n_exclude: [copier.yml]\n", "shared/f.txt": "f\n"})
    os.symlink("shared", tmp_path / "tpl" / "docs")
    assert_same(tmp_path, None)
    assert os.readlink(tmp_path / "b" / "out" / "docs") == "shared"


@pytest.mark.parametrize("committed", [True, False])
def test_a_link_to_a_folder_that_holds_it_is_refused(tmp_path: Path, committed: bool) -> None:
    write(tmp_path / "tpl", {"copier.yml": "name: {default: n}\n", "inner/f.txt": "f\n"})
    os.symlink("..", tmp_path / "tpl" / "inner" / "up")
    args: list[str] = []
    if committed:
        git("init", "-q", "-b", "main", cwd=tmp_path / "tpl")
        git("add", "-A", cwd=tmp_path / "tpl")
        git("commit", "-q", "-m", "v1", cwd=tmp_path / "tpl")
        args = ["--vcs-ref", "HEAD"]
    # copier recurses into such a link until the file system gives up (or forever, from a clone).
    ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe", *args],
                          cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=60)
    assert ours.returncode == 2 and "inner/up" in ours.stderr and "loop" in ours.stderr, ours.stderr
    assert not (tmp_path / "out").exists()


# MARK: - Folders that render to one path

def test_folders_that_render_to_one_path_are_merged_like_copier(tmp_path: Path) -> None:
    files = {"copier.yml": "kind: {type: str, choices: [app, lib], default: lib}\nname: {default: proj}\n",
             "{% if kind == 'app' %}{{ name }}{% endif %}/main.c": "main\n",
             "{{ name }}/common.txt.jinja": "{{ kind }}\n",
             "{% if kind == 'lib' %}{{ name }}{% endif %}/lib.c": "lib\n",
             "{% if kind == 'lib' %}{{ name }}{% endif %}/sub/deeper.txt": "deeper\n"}
    assert_same(tmp_path, files)
    assert sorted(p.name for p in (tmp_path / "b" / "out" / "proj").iterdir()) == ["common.txt", "lib.c", "sub"]


def test_two_files_that_render_to_one_path_are_refused(tmp_path: Path) -> None:
    files = {"copier.yml": "a: {default: x}\nb: {default: x}\n", "{{ a }}/same.txt": "A\n", "{{ b }}/same.txt": "B\n"}
    assert_both_refuse(tmp_path, files, r"both render to 'x/same\.txt'")


# MARK: - Questions

def test_a_choice_without_a_value_stands_for_its_label(tmp_path: Path) -> None:
    files = {"copier.yml": "d:\n  type: str\n  choices:\n    build: null\n    built: null\n  default: built\n"
                           "n:\n  type: int\n  choices:\n    '1': null\n    '2': null\n  default: 2\n",
             "f.txt.jinja": "{{ d }} {{ n + 1 }}\n",
             "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"}
    assert_same(tmp_path, files)
    assert (tmp_path / "b" / "out" / "f.txt").read_text() == "built 3\n"
    assert_same(tmp_path / "given", files, ["--data", "d=build", "--data", "n=1"])
    assert (tmp_path / "given" / "b" / "out" / "f.txt").read_text() == "build 2\n"


def test_a_hidden_question_without_a_default_gets_no_answer(tmp_path: Path) -> None:
    files = {"copier.yml": "lib: {type: bool, default: false}\n"
                           "purpose: {type: str, when: '{{ lib }}', choices: [a, b]}\n"
                           "flag: {type: bool, when: '{{ lib }}'}\n"
                           "owner: {type: str, when: false}\n",
             "f.txt.jinja": "[{{ purpose }}] [{{ flag }}] [{{ owner }}] {{ owner is defined }}\n",
             "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml }}"}
    assert_same(tmp_path, files)
    assert (tmp_path / "b" / "out" / "f.txt").read_text() == "[] [] [] False\n"
    # Given answers are still taken.
    assert_same(tmp_path / "given", files, ["--data", "lib=true", "--data", "purpose=b", "--data", "flag=true"])


# MARK: - _envops.undefined

@pytest.mark.parametrize("undefined,text,expected", [
    ("jinja2.Undefined", "[{{ missing }}]\n", "[]\n"),
    ("jinja2.StrictUndefined", "[{{ missing|default('d') }}] {{ name }}\n", "[d] n\n"),
])
def test_envops_undefined_is_read_like_copier(tmp_path: Path, undefined: str, text: str, expected: str) -> None:
    files = {"copier.yml": f"_envops:\n  undefined: {undefined}\n  autoescape: false\nname: {{default: n}}\n", "f.txt.jinja": text}
    assert_same(tmp_path, files)
    assert (tmp_path / "b" / "out" / "f.txt").read_text() == expected


def test_envops_strict_undefined_refuses_a_missing_name(tmp_path: Path) -> None:
    assert_both_refuse(tmp_path, {"copier.yml": "_envops: {undefined: jinja2.StrictUndefined}\nname: {default: n}\n",
                                  "f.txt.jinja": "{{ missing }}\n"}, r"f\.txt\.jinja:1:\d+: error: .*'missing' is undefined")


def test_envops_undefined_of_another_class_is_refused(tmp_path: Path) -> None:
    assert_both_refuse(tmp_path, {"copier.yml": "_envops: {undefined: jinja2.ChainableUndefined}\nname: {default: n}\n",
                                  "f.txt.jinja": "{{ name }}\n"},
                       r"copier\.yml:1:1: error: _envops\.undefined must be jinja2\.Undefined or jinja2\.StrictUndefined")


# MARK: - Methods that change a list or dict in place

IN_PLACE = """{% set acc = [] %}{% for x in [3, 1, 2] %}{% set _ = acc.append(x * 2) %}{% endfor %}{{ acc }}
{% set _ = acc.extend([7, 5]) %}{{ acc.pop() }} {{ acc.pop(0) }} {{ acc }}
{% set _ = acc.insert(-1, 9) %}{% set _ = acc.insert(100, 8) %}{{ acc }}{% set _ = acc.remove(9) %}{% set _ = acc.sort() %}{{ acc }}
{% set _ = acc.sort(reverse=true) %}{{ acc }}{{ acc.reverse() }}{{ acc }}{% set _ = acc.clear() %}{{ acc }}
{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}, c=3) %}{{ d }} {{ d.setdefault('a', 5) }} {{ d.setdefault('z', 4) }}
{{ d.pop('a') }} {{ d.pop('q', 'dflt') }} {% set kv = d.popitem() %}{{ kv[0] }}={{ kv[1] }} {{ d }}
{% set _ = d.update([['k', 'v']]) %}{{ d }}{% set _ = d.clear() %}{{ d }}
{{ names }}{% set _ = names.append('x') %} {{ names }}
{% macro m() %}{% set _ = names.append('m') %}{{ names }}{% endmacro %}{{ m() }} {{ names }}
{% if true %}{% set _ = names.remove('a') %}{% endif %}{{ names }}
{% set ns = namespace(acc=[], seen={}) %}{% for x in 'abca' %}{% if x not in ns.seen %}{% set _ = ns.seen.update({x: 1}) %}{% set _ = ns.acc.append(x) %}{% endif %}{% endfor %}{{ ns.acc }} {{ ns.seen }}
{% set conf = {'tags': ['a']} %}{% set _ = conf.tags.append('b') %}{{ conf }}
"""


def test_a_variables_list_and_dict_change_in_place_like_copier(tmp_path: Path) -> None:
    assert_same(tmp_path, {"copier.yml": "names: {type: yaml, default: '[a, b]'}\n", "f.txt.jinja": IN_PLACE})
    assert (tmp_path / "b" / "out" / "f.txt").read_text().splitlines()[0] == "[6, 2, 4]"


@pytest.mark.parametrize("text,message", [
    ("{% set acc = [] %}{{ acc.pop() }}", r"f\.txt\.jinja:1:\d+: error: pop from empty list"),
    ("{% set acc = [1] %}{{ acc.remove(2) }}", r"list\.remove\(x\): x not in list"),
    ("{% set acc = [1] %}{{ acc.sort(key=1) }}", r"sort\(key=\.\.\.\) is not supported"),
    ("{% set acc = [1] %}{{ acc.append() }}", r"append\(\) takes exactly 1 argument \(0 given\)"),
    # Not held by a variable: the value cannot change in place here.
    ("{% set ns = namespace(acc=[[]]) %}{{ ns.acc[0].append(1) }}", r"list\.append\(\) is not supported: it changes the list in place"),
])
def test_in_place_methods_fail_as_python_does_or_name_what_is_missing(tmp_path: Path, text: str, message: str) -> None:
    files = {"copier.yml": "name: {default: n}\n", "f.txt.jinja": text + "\n"}
    if "namespace" in text or "key=" in text:
        # copier renders these; mlrepro refuses them by name (a known difference, never other output).
        write(tmp_path / "tpl", files)
        ours = subprocess.run([str(BIN), "init", "out", "--template", "tpl", "--defaults", "--no-git", "--no-probe"],
                              cwd=tmp_path, env=environment(tmp_path), check=False, capture_output=True, text=True, timeout=60)
        assert ours.returncode == 2 and re.search(message, ours.stderr), ours.stderr
        assert not (tmp_path / "out").exists()
    else:
        assert_both_refuse(tmp_path, files, message)


# MARK: - Python extensions that read the template's files

SCHEMA_FILTER = {
    "copier.yml": "_jinja_extensions: [copier_template_extensions.TemplateExtensionLoader, ext/schema.py:SchemaFilter]\n"
                  "_exclude: [copier.yml, ext, schemas]\nname: {default: demo}\n"
                  "size:\n  type: int\n  default: 3\n  validator: \"{{ size | check_schema('schemas/size.txt') }}\"\n",
    "ext/schema.py": "from jinja2 import pass_environment\nfrom jinja2.ext import Extension\n\n\n"
                     "@pass_environment\ndef check_schema(environment, value, name):\n"
                     "    source, filename, _ = environment.loader.get_source(environment, '/' + name)\n"
                     "    limit = int(source.split()[0])\n"
                     "    return '' if value <= limit else f'{value} is over {limit}'\n\n\n"
                     "class SchemaFilter(Extension):\n    def __init__(self, environment):\n        super().__init__(environment)\n"
                     "        environment.filters['check_schema'] = check_schema\n",
    "schemas/size.txt": "5 is the limit\n",
    "out.txt.jinja": "{{ name }} {{ size }} [{{ 2 | check_schema('schemas/size.txt') }}]\n",
}


def test_python_extensions_read_template_files_through_the_environments_loader(tmp_path: Path) -> None:
    assert_same(tmp_path, SCHEMA_FILTER)
    assert (tmp_path / "b" / "out" / "out.txt").read_text() == "demo 3 []\n"
    assert_both_refuse(tmp_path / "over", SCHEMA_FILTER, r"7 is over 5", ["--data", "size=7"])


# MARK: - The answers file named from a folder

@pytest.mark.parametrize("folder", [".copier-answers", "deep/er"])
def test_a_file_named_as_the_answers_file_path_is_the_answers_file(tmp_path: Path, folder: str) -> None:
    files = {"copier.yml": "_answers_file: .copier-answers/project.yml\nname: {default: demo}\n",
             f"{folder}/{{{{ _copier_conf.answers_file }}}}.jinja": "{{ _copier_answers|to_nice_yaml }}",
             f"{folder}/other.txt.jinja": "{{ name }}\n"}
    assert_same(tmp_path, files)
    assert (tmp_path / "b" / "out" / ".copier-answers" / "project.yml").is_file()


# MARK: - {% now %} only with jinja2-time's extension

def test_the_now_tag_needs_the_time_extension_like_copier(tmp_path: Path) -> None:
    text = "{% now 'utc', '%Y' %}\n"
    assert_both_refuse(tmp_path, {"copier.yml": "name: {default: n}\n", "f.txt.jinja": text},
                       r"f\.txt\.jinja:1:\d+: error: Encountered unknown tag 'now'")
    assert_both_refuse(tmp_path / "default", {"copier.yml": "year: {default: \"{% now 'utc', '%Y' %}\"}\n", "f.txt.jinja": "{{ year }}\n"},
                       r"question 'year', default: Encountered unknown tag 'now'")
    assert_same(tmp_path / "ext", {"copier.yml": "_jinja_extensions: [jinja2_time.TimeExtension]\nname: {default: n}\n",
                                   "f.txt.jinja": text})
