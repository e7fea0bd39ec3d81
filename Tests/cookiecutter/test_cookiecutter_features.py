"""One small fixture per cookiecutter feature, rendered by cookiecutter 2.7.1 (from the test virtualenv)
and by mlrepro and compared byte for byte; the rows of Docs/compatibility-cookiecutter.md name these
tests (test_every_supported_row_names_a_test checks that they exist)."""
from __future__ import annotations

import json
import os
import stat
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MLREPRO_BIN", REPO / ".build" / "debug" / "mlrepro"))
COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
SLUG = "{{ cookiecutter.project_slug }}"
MATRIX = REPO / "Docs" / "compatibility-cookiecutter.md"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


# The snapshot the cookiecutter comparison tests already use.
from test_cookiecutter_compat import same_minute, snapshot


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", HOME=str(tmp_path), GIT_AUTHOR_NAME="A", GIT_AUTHOR_EMAIL="a@example.org",
                GIT_COMMITTER_NAME="A", GIT_COMMITTER_EMAIL="a@example.org", **extra)


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=environment(cwd.parent)).stdout.strip()


def cookiecutter(tmp_path: Path, template: str, *args: str, env: dict[str, str] | None = None) -> Path:
    """Runs cookiecutter 2.7.1 in a fresh folder and returns the one project it made."""
    if not COOKIECUTTER.exists():
        pytest.fail(f"{COOKIECUTTER} missing: run `make venv`")
    work = tmp_path / f"cc-{len(list(tmp_path.glob('cc-*')))}"
    work.mkdir()
    made = subprocess.run([str(COOKIECUTTER), "--no-input", template, *args], cwd=work,
                          env=env or environment(tmp_path), capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    [project] = list(work.iterdir())
    return project


def mlrepro(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], cwd=tmp_path, env=env or environment(tmp_path), capture_output=True,
                          text=True, timeout=120)


def init(tmp_path: Path, template: str, dest: str, *args: str, env: dict[str, str] | None = None) -> Path:
    done = mlrepro(tmp_path, "init", dest, "--template", template, "--defaults", "--no-git", "--no-probe", "--quiet",
                   *args, env=env)
    assert done.returncode == 0, done.stderr
    return tmp_path / dest


def data(extra: list[str]) -> list[str]:
    return [arg for item in extra for arg in ("--data", item)]


def assert_same(expected: Path, actual: Path) -> None:
    want, got = snapshot(expected), snapshot(actual)
    assert sorted(got) == sorted(want)
    for path in want:
        assert got[path] == want[path], f"{path}:\ncookiecutter: {want[path]!r}\nmlrepro: {got[path]!r}"


def compare(tmp_path: Path, files: dict[str, str | bytes], extra: list[str] = (), trust: bool = False,
            env: dict[str, str] | None = None) -> Path:
    """Renders `files` as a template with both tools (`extra` as KEY=VALUE) and compares the projects."""
    template = write(tmp_path / "tpl", files)

    def render() -> tuple[Path, Path]:
        made = cookiecutter(tmp_path, str(template), *extra, env=env)
        # mlrepro's project goes where cookiecutter's was, so that `_output_dir` is the same folder.
        expected = made.rename(tmp_path / f"expected-{made.parent.name}")
        return expected, init(tmp_path, str(template), f"{made.parent.name}/ours", *data(list(extra)),
                              *(["--trust"] if trust else []), env=env)

    expected, actual = same_minute(render)
    assert_same(expected, actual)
    return actual


# MARK: - The default ref (which version of a git template is rendered)

REF_TEMPLATE = {"cookiecutter.json": json.dumps({"project_slug": "refs"}),
                f"{SLUG}/version.txt": "v1 [{{ cookiecutter._checkout }}]\n"}


def versioned_template(tmp_path: Path) -> Path:
    """A repository with a tag `v1` and a newer commit on its default branch `main`."""
    template = write(tmp_path / "tpl", REF_TEMPLATE)
    git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-qm", "v1", cwd=template)
    git("tag", "v1", cwd=template)
    (template / SLUG / "version.txt").write_text("main [{{ cookiecutter._checkout }}]\n")
    git("commit", "-qam", "after v1", cwd=template)
    return template


def test_default_ref_local_folder_is_its_checked_out_branch(tmp_path: Path) -> None:
    template = versioned_template(tmp_path)
    expected = cookiecutter(tmp_path, str(template))
    assert (expected / "version.txt").read_text() == "main [None]\n"
    assert_same(expected, init(tmp_path, str(template), "ours"))
    record = (tmp_path / "ours" / ".mlrepro" / "answers.yml").read_text()
    assert re.search(f'_commit: "?{git("rev-parse", "HEAD", cwd=template)}"?\n', record) and "_checkout" not in record


def test_default_ref_local_folder_with_changes_is_its_working_tree(tmp_path: Path) -> None:
    template = versioned_template(tmp_path)
    (template / SLUG / "version.txt").write_text("edited [{{ cookiecutter._checkout }}]\n")
    assert_same(cookiecutter(tmp_path, str(template)), init(tmp_path, str(template), "ours"))


def test_default_ref_url_is_the_default_branch(tmp_path: Path) -> None:
    template = versioned_template(tmp_path)
    git("checkout", "-qb", "other", cwd=template)
    (template / SLUG / "version.txt").write_text("other\n")
    git("commit", "-qam", "other", cwd=template)
    git("checkout", "-q", "main", cwd=template)
    url = "git+" + template.as_uri()
    expected = cookiecutter(tmp_path, url)
    assert (expected / "version.txt").read_text() == "main [None]\n"
    assert_same(expected, init(tmp_path, url, "ours"))


def test_hooks_read_a_git_templates_files_from_repo_dir(tmp_path: Path) -> None:
    """cookiecutter's `_repo_dir` names its clone; mlrepro's hooks see a copy of the template for the run."""
    template = write(tmp_path / "tpl", {
        "cookiecutter.json": json.dumps({"project_slug": "hooked"}),
        f"{SLUG}/a.txt": "a\n",
        "extras/licence.txt": "from the template\n",
        "hooks/pre_gen_project.sh": "#!/bin/sh\ntest -f '{{ cookiecutter._repo_dir }}/extras/licence.txt'\n",
        "hooks/post_gen_project.py": "import pathlib, shutil\n"
                                     "shutil.copy(pathlib.Path('{{ cookiecutter._repo_dir }}') / 'extras' / 'licence.txt', 'LICENCE')\n",
    })
    git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-qm", "v1", cwd=template)
    url = "git+" + template.as_uri()
    expected = cookiecutter(tmp_path, url)
    assert (expected / "LICENCE").read_text() == "from the template\n"
    (tmp_path / "tmp").mkdir()
    actual = init(tmp_path, url, "ours", "--trust", env=environment(tmp_path, TMPDIR=str(tmp_path / "tmp")))
    assert_same(expected, actual)
    assert list((tmp_path / "tmp").glob("mlrepro-template-*")) == []


def test_repo_dir_of_a_cloned_template_names_its_source_and_warns(tmp_path: Path) -> None:
    """In the project's files cookiecutter's `_repo_dir` of a template cloned from a URL is its clone folder
    (`~/.cookiecutters/NAME`, a path of the machine); mlrepro renders the source, the same on every machine, and
    names each file that reads it. A local template's `_repo_dir` is the path as given, as in cookiecutter."""
    template = write(tmp_path / "tpl", {"cookiecutter.json": json.dumps({"project_slug": "rd"}),
                                        f"{SLUG}/a.txt": "repo={{ cookiecutter._repo_dir }}\n", f"{SLUG}/b.txt": "b\n",
                                        # Not rendered (outside the project folder): no warning.
                                        "README.md": "Hooks may read `cookiecutter._repo_dir`.\n"})
    git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-qm", "v1", cwd=template)
    url = "git+" + template.as_uri()
    expected = cookiecutter(tmp_path, url)
    assert (expected / "a.txt").read_text() == f"repo={tmp_path / '.cookiecutters' / 'tpl'}\n"
    done = mlrepro(tmp_path, "init", "ours", "--template", url, "--defaults", "--no-git", "--no-probe", "--quiet")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ours" / "a.txt").read_text() == f"repo={url}\n"
    assert (tmp_path / "ours" / "b.txt").read_text() == "b\n"
    assert f"{SLUG}/a.txt: warning: cookiecutter._repo_dir is rendered as the template source '{url}'" in done.stderr
    assert "b.txt" not in done.stderr and "README.md" not in done.stderr
    check = mlrepro(tmp_path, "check", "ours")
    assert check.returncode == 0, check.stdout + check.stderr
    local = init(tmp_path, "tpl", "local")
    assert (local / "a.txt").read_text() == "repo=tpl\n"
    assert "warning" not in mlrepro(tmp_path, "init", "local2", "--template", "tpl", "--defaults", "--no-git", "--no-probe").stderr


def test_a_git_repository_without_a_manifest_renders_like_copier(tmp_path: Path) -> None:
    """copier renders a repository without copier.yml as a template without questions (at its newest tag);
    mlrepro does when --template names it, and refuses it when only a project's record does."""
    template = write(tmp_path / "tpl", {"a.txt.jinja": "hi {{ 1 + 1 }} [{{ _copier_conf.answers_file }}]\n",
                                        "sub/b.txt": "plain {{ x }}\n"})
    git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-qm", "v1", cwd=template)
    git("tag", "v1", cwd=template)
    (template / "a.txt.jinja").write_text("after v1\n")
    git("commit", "-qam", "after v1", cwd=template)
    made = subprocess.run([str(COOKIECUTTER.parent / "copier"), "copy", "--defaults", str(template), "expected"], cwd=tmp_path,
                          env=environment(tmp_path), capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "expected" / "a.txt").read_text() == "hi 2 [.copier-answers.yml]\n"
    actual = init(tmp_path, str(template), "ours")
    assert_same(tmp_path / "expected", actual)
    refused = mlrepro(tmp_path, "check", "ours")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "has no template manifest" in refused.stderr and "pass --template REPOSITORY" in refused.stderr, refused.stderr
    named = mlrepro(tmp_path, "check", "ours", "--template", str(template))
    assert named.returncode == 0, named.stdout + named.stderr
    other = mlrepro(tmp_path, "init", "cc", "--template", str(template), "--format", "cookiecutter", "--defaults", "--no-git")
    assert other.returncode == 2 and "--format cookiecutter: " in other.stderr, other.stderr
    assert not (tmp_path / "cc").exists()


def test_checkout_names_the_asked_ref(tmp_path: Path) -> None:
    template = versioned_template(tmp_path)
    url = "git+" + template.as_uri()
    expected = cookiecutter(tmp_path, url, "--checkout", "v1")
    assert (expected / "version.txt").read_text() == "v1 [v1]\n"
    actual = init(tmp_path, url, "ours", "--vcs-ref", "v1")
    assert_same(expected, actual)
    # check renders at the recorded commit with the recorded checkout: in sync.
    assert "_checkout: v1" in (actual / ".mlrepro" / "answers.yml").read_text()
    check = mlrepro(tmp_path, "check", "ours")
    assert check.returncode == 0, check.stdout + check.stderr


def test_vcs_ref_head_on_a_local_clone_is_its_checked_out_branch(tmp_path: Path) -> None:
    origin = versioned_template(tmp_path)
    clone = tmp_path / "clone"
    git("clone", "-q", str(origin), str(clone), cwd=tmp_path)
    git("checkout", "-qb", "feature", cwd=clone)
    (clone / SLUG / "version.txt").write_text("feature\n")
    git("commit", "-qam", "feature", cwd=clone)
    expected = cookiecutter(tmp_path, str(clone))
    assert (expected / "version.txt").read_text() == "feature\n"
    actual = init(tmp_path, str(clone), "ours", "--vcs-ref", "HEAD")
    assert (actual / "version.txt").read_text() == "feature\n"


def test_copier_templates_keep_the_newest_tag(tmp_path: Path) -> None:
    template = write(tmp_path / "tpl", {"copier.yml": "name: {default: x}\n", "v.txt.jinja": "v1\n"})
    git("init", "-q", "-b", "main", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-qm", "v1", cwd=template)
    git("tag", "v1", cwd=template)
    (template / "v.txt.jinja").write_text("main\n")
    git("commit", "-qam", "after", cwd=template)
    assert (init(tmp_path, str(template), "ours") / "v.txt").read_text() == "v1\n"


def test_update_of_a_cruft_project_follows_the_default_branch_or_its_checkout(tmp_path: Path) -> None:
    template = versioned_template(tmp_path)
    commit = git("rev-parse", "v1", cwd=template)
    for name, checkout in (("plain", None), ("pinned", "stable")):
        project = cookiecutter(tmp_path, "git+" + template.as_uri(), "--checkout", "v1")
        project = project.rename(tmp_path / name)
        (project / "version.txt").write_text(f"v1 [{checkout}]\n")
        (project / ".cruft.json").write_text(json.dumps({
            "template": template.as_uri(), "commit": commit, "checkout": checkout,
            "context": {"cookiecutter": {"project_slug": "refs", "_template": template.as_uri()}}, "directory": None}))
        git("init", "-q", cwd=project)
        git("add", "-A", cwd=project)
        git("commit", "-qm", "generated", cwd=project)
        check = mlrepro(tmp_path, "check", name)
        assert check.returncode == 0, check.stdout + check.stderr
    git("branch", "stable", "v1", cwd=template)
    plain = mlrepro(tmp_path, "update", "plain")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert (tmp_path / "plain" / "version.txt").read_text() == "main [None]\n"
    pinned = mlrepro(tmp_path, "update", "pinned")
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert (tmp_path / "pinned" / "version.txt").read_text() == "v1 [stable]\n"


# MARK: - Local Python extensions

LOCAL_EXTENSIONS = {
    "cookiecutter.json": json.dumps({"project_slug": "ext", "name": "Ada",
                                     "_extensions": ["local_extensions.Shout", "local_extensions.reverse",
                                                     "helpers.more.Greeting"]}),
    "local_extensions.py": "from jinja2.ext import Extension\nfrom cookiecutter.utils import simple_filter\n\n\n"
                           "class Shout(Extension):\n    def __init__(self, environment):\n"
                           "        super().__init__(environment)\n"
                           "        environment.filters['shout'] = lambda v: v.upper() + '!'\n\n\n"
                           "@simple_filter\ndef reverse(v):\n    return v[::-1]\n",
    "helpers/__init__.py": "",
    "helpers/more.py": "from jinja2.ext import Extension\n\n\nclass Greeting(Extension):\n"
                       "    def __init__(self, environment):\n        super().__init__(environment)\n"
                       "        environment.globals['greeting'] = 'hello'\n",
    f"{SLUG}/out.txt": "{{ cookiecutter.name|shout }} {{ cookiecutter.name|reverse }} {{ greeting }}\n",
}


def test_local_python_extensions_run_with_trust(tmp_path: Path) -> None:
    env = environment(tmp_path, MLREPRO_PYTHON=sys.executable)
    actual = compare(tmp_path, LOCAL_EXTENSIONS, trust=True, env=env)
    assert (actual / "out.txt").read_text() == "ADA! adA hello\n"
    refused = mlrepro(tmp_path, "init", "untrusted", "--template", "tpl", "--defaults", "--no-git", "--no-probe", env=env)
    assert refused.returncode == 2 and "--trust" in refused.stderr and "local_extensions.Shout" in refused.stderr
    assert not (tmp_path / "untrusted").exists()


def test_local_extensions_read_files_beside_them_and_run_in_the_project_folder(tmp_path: Path) -> None:
    """cookiecutter imports a local extension from the template folder and renders the files with the
    template's project folder as the working directory: a module may open files beside it and
    `../cookiecutter.json`."""
    files = {
        "cookiecutter.json": json.dumps({"project_slug": "ext", "name": "Ada", "_extensions": ["local_extensions.Data"]}),
        "local_extensions.py": "import json, pathlib\nfrom jinja2.ext import Extension\n\n\n"
                               "class Data(Extension):\n    def __init__(self, environment):\n"
                               "        super().__init__(environment)\n"
                               "        here = pathlib.Path(__file__).parent\n"
                               "        environment.filters['beside'] = lambda v: (here / 'data' / v).read_text().strip()\n"
                               "        environment.filters['manifest'] = lambda v: json.load(open('../cookiecutter.json'))[v]\n",
        "data/words.txt": "from a data file\n",
        f"{SLUG}/out.txt": "{{ 'words.txt'|beside }} {{ 'name'|manifest }}\n",
    }
    env = environment(tmp_path, MLREPRO_PYTHON=sys.executable)
    actual = compare(tmp_path, files, trust=True, env=env)
    assert (actual / "out.txt").read_text() == "from a data file Ada\n"


def test_a_python_extension_that_adds_tags_is_refused_by_name(tmp_path: Path) -> None:
    """Tags of a Python extension (jinja2_git's `{% gitcommit %}`) cannot run in mlrepro's engine: refused, nothing written."""
    write(tmp_path / "tpl", {
        "cookiecutter.json": json.dumps({"project_slug": "tags", "_extensions": ["local_extensions.Commit"]}),
        "local_extensions.py": "from jinja2 import nodes\nfrom jinja2.ext import Extension\n\n\nclass Commit(Extension):\n"
                               "    tags = {'gitcommit'}\n\n    def parse(self, parser):\n"
                               "        return nodes.Output([nodes.Const(next(parser.stream).value)])\n",
        f"{SLUG}/a.txt": "{% gitcommit %}\n"})
    env = environment(tmp_path, MLREPRO_PYTHON=sys.executable)
    expected = cookiecutter(tmp_path, str(tmp_path / "tpl"), env=env)
    assert (expected / "a.txt").read_text() == "gitcommit\n"
    refused = mlrepro(tmp_path, "init", "ours", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--trust", env=env)
    assert refused.returncode == 2, refused.stderr
    assert "local_extensions.Commit" in refused.stderr and "{% gitcommit %}" in refused.stderr, refused.stderr
    assert not (tmp_path / "ours").exists()


def test_hooks_see_the_environment_cookiecutter_was_started_with(tmp_path: Path) -> None:
    """cookiecutter runs hooks with its own environment (a hook's switches, git's identity, VIRTUAL_ENV)."""
    files = {
        "cookiecutter.json": json.dumps({"project_slug": "envs"}),
        "hooks/pre_gen_project.py": "import os, pathlib\npathlib.Path('pre.txt').write_text(os.environ.get('MY_SWITCH', 'unset'))\n",
        "hooks/post_gen_project.sh": "#!/bin/sh\nprintf '%s %s' \"$MY_SWITCH\" \"$GIT_AUTHOR_NAME\" > post.txt\n",
        f"{SLUG}/a.txt": "a\n",
    }
    env = environment(tmp_path, MY_SWITCH="golden", MLREPRO_PYTHON=sys.executable)
    actual = compare(tmp_path, files, trust=True, env=env)
    assert (actual / "pre.txt").read_text() == "golden" and (actual / "post.txt").read_text() == "golden A"
    check = mlrepro(tmp_path, "check", str(actual), "--trust", env=env)
    assert check.returncode == 0, check.stdout + check.stderr


IN_PLACE = {
    "cookiecutter.json": json.dumps({"project_slug": "inplace", "name": "Ada.Lib"}),
    # As python-boltons/cc-python does: the hook adds variables the files then use.
    "hooks/pre_gen_project.py": '"""{{ cookiecutter.update({"path": cookiecutter.name|replace(".", "_"), "tags": ["a"]}) }}\n'
                                '{{ cookiecutter.setdefault("path", "ignored") }} {{ cookiecutter.setdefault("extra", "x") }}\n'
                                '{{ cookiecutter.tags.append("b") }} {{ cookiecutter.pop("gone", "none") }}"""\n',
    "hooks/post_gen_project.sh": "#!/bin/sh\nprintf '%s' '{{ cookiecutter.path }} {{ cookiecutter.tags }}' > post.txt\n",
    f"{SLUG}/{{{{ cookiecutter.path }}}}.txt": "{{ cookiecutter.path }} {{ cookiecutter.extra }} {{ cookiecutter.tags }}\n"
                                               "{{ cookiecutter.name.__len__() }} {{ cookiecutter.tags.__len__() }} "
                                               "{{ cookiecutter.__contains__('path') }}\n",
}


def test_a_pre_gen_hook_that_changes_the_context_in_place_changes_the_files(tmp_path: Path) -> None:
    """cookiecutter renders pre_gen_project with the context object it then renders the files and
    post_gen_project with: `cookiecutter.update(...)` there reaches them."""
    env = environment(tmp_path, MLREPRO_PYTHON=sys.executable)
    actual = compare(tmp_path, IN_PLACE, trust=True, env=env)
    assert (actual / "Ada_Lib.txt").read_text() == "Ada_Lib x ['a', 'b']\n7 2 True\n"
    assert (actual / "post.txt").read_text() == "Ada_Lib [a, b]"  # the shell's quoting
    check = mlrepro(tmp_path, "check", str(actual), "--trust", env=env)
    assert check.returncode == 0, check.stdout + check.stderr


def test_in_place_methods_on_a_loop_variable_stay_refused(tmp_path: Path) -> None:
    """Only a context variable is changed in place (Python's aliasing is then exact); a loop variable or
    `{% set %}` name may share its object with another name, so the method stays an error naming it."""
    write(tmp_path / "tpl", {"cookiecutter.json": json.dumps({"project_slug": "loop"}),
                             f"{SLUG}/a.txt": "{% for d in [{}] %}{{ d.update({'a': 1}) }}{% endfor %}\n"})
    refused = mlrepro(tmp_path, "init", "ours", "--template", "tpl", "--defaults", "--no-git", "--no-probe")
    assert refused.returncode != 0 and "dict.update() is not supported" in refused.stderr, refused.stderr
    assert not (tmp_path / "ours").exists()


# MARK: - Includes and extends

INCLUDES = {
    "cookiecutter.json": json.dumps({"project_slug": "inc", "name": "Ada"}),
    "templates/base.txt": "base {{ cookiecutter.name }}\n{% block body %}{% endblock %}\n",
    "templates/macros.j2": "{% macro hi(n) %}hi {{ n }}{% endmacro %}",
    f"{SLUG}/partials/p.txt": "partial {{ cookiecutter.name }}",
    f"{SLUG}/out.txt": "{% extends 'base.txt' %}{% block body %}{% include 'partials/p.txt' %} "
                       "{% from 'macros.j2' import hi %}{{ hi(1) }} {% include './partials/p.txt' %}{% endblock %}",
}


def test_includes_and_extends_search_the_project_folder_then_templates(tmp_path: Path) -> None:
    actual = compare(tmp_path, INCLUDES)
    assert (actual / "out.txt").read_text() == "base Ada\npartial Ada hi 1 partial Ada\n"


def test_an_include_outside_the_search_folders_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"cookiecutter.json": '{"project_slug": "x"}', f"{SLUG}/x.txt": "{% include 'cookiecutter.json' %}"})
    work = tmp_path / "cc"
    work.mkdir()
    reference = subprocess.run([str(COOKIECUTTER), "--no-input", "../tpl"], cwd=work, capture_output=True, text=True,
                               env=environment(tmp_path))
    assert reference.returncode != 0 and "TemplateNotFound" in reference.stderr
    ours = mlrepro(tmp_path, "init", "ours", "--template", "tpl", "--defaults", "--no-git", "--no-probe")
    assert ours.returncode == 2 and "x.txt" in ours.stderr and "cookiecutter.json" in ours.stderr
    assert not (tmp_path / "ours").exists()


# MARK: - Nested templates

NESTED = {
    "cookiecutter.json": json.dumps({"templates": {
        "lib": {"path": "./lib", "title": "Library", "description": "a package"},
        "app": {"path": "./app", "title": "Application", "description": "a service"}}}),
    "lib/cookiecutter.json": json.dumps({"project_slug": "a-lib", "name": "lib"}),
    f"lib/{SLUG}/kind.txt": "{{ cookiecutter.name }} {{ cookiecutter._template.endswith('/tpl/lib') }}\n",
    "app/cookiecutter.json": json.dumps({"project_slug": "an-app", "port": 8000}),
    f"app/{SLUG}/kind.txt": "app {{ cookiecutter.port }}\n",
}
NESTED_OLD = {
    "cookiecutter.json": json.dumps({"template": ["Library (./lib)", "Application (./app)"]}),
    **{key: value for key, value in NESTED.items() if key != "cookiecutter.json"},
}


@pytest.mark.parametrize("files,extra", [(NESTED, []), (NESTED_OLD, []), (NESTED_OLD, ["template=Application (./app)"]),
                                         (NESTED_OLD, ["template=Application (./app)", "port=9000"])])
def test_nested_templates_choose_one(tmp_path: Path, files: dict[str, str], extra: list[str]) -> None:
    actual = compare(tmp_path, files, extra)
    check = mlrepro(tmp_path, "check", str(actual))
    assert check.returncode == 0, check.stdout + check.stderr


def test_nested_templates_mapping_form_is_chosen_by_data(tmp_path: Path) -> None:
    """cookiecutter asks on a terminal (its --no-input takes the first); --data chooses too."""
    write(tmp_path / "tpl", NESTED)
    actual = init(tmp_path, "tpl", "ours", "--data", "templates=app")
    assert (actual / "kind.txt").read_text() == "app 8000\n"
    assert "templates: app\n" in (actual / ".mlrepro" / "answers.yml").read_text()
    assert mlrepro(tmp_path, "check", "ours").returncode == 0
    bad = mlrepro(tmp_path, "init", "bad", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--data", "templates=web")
    assert bad.returncode == 2 and "templates" in bad.stderr and "web" in bad.stderr


# MARK: - Hooks

def test_pre_prompt_runs_before_the_project_folder_is_looked_for(tmp_path: Path) -> None:
    files = {"cookiecutter.json": json.dumps({"project_slug": "made", "name": "x"}),
             "hooks/pre_prompt.py": "import pathlib\nfolder = pathlib.Path('{{ cookiecutter.project_slug }}')\n"
                                    "folder.mkdir()\n(folder / 'out.txt').write_text('{{ cookiecutter.name }}\\n')\n"}
    actual = compare(tmp_path, files, trust=True, env=environment(tmp_path, MLREPRO_PYTHON=sys.executable))
    assert (actual / "out.txt").read_text() == "x\n"
    untrusted = mlrepro(tmp_path, "init", "u", "--template", "tpl", "--defaults", "--no-git", "--no-probe")
    assert untrusted.returncode == 2 and "pre_prompt" in untrusted.stderr and "--trust" in untrusted.stderr
    (tmp_path / "tpl" / "hooks" / "pre_prompt.py").write_text("pass\n")
    missing = mlrepro(tmp_path, "init", "m", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--trust")
    assert missing.returncode == 2 and "no project folder" in missing.stderr


# MARK: - Templates with several manifests

BOTH = {"copier.yml": "_subdirectory: copier\nproject_slug: {default: from-copier}\n",
        "copier/copier.txt.jinja": "copier {{ project_slug }}\n",
        "cookiecutter.json": json.dumps({"project_slug": "from-cookiecutter"}),
        f"{SLUG}/cc.txt": "cookiecutter {{ cookiecutter.project_slug }}\n"}


def test_format_chooses_between_copier_and_cookiecutter_manifests(tmp_path: Path) -> None:
    write(tmp_path / "tpl", BOTH)
    default = mlrepro(tmp_path, "init", "d", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--quiet")
    assert default.returncode == 0, default.stderr
    assert (tmp_path / "d" / "copier.txt").read_text() == "copier from-copier\n"
    assert default.stderr.count("copier.yml and cookiecutter.json") == 1 and "--format cookiecutter" in default.stderr
    expected = cookiecutter(tmp_path, str(tmp_path / "tpl"))
    chosen = mlrepro(tmp_path, "init", "c", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--quiet",
                     "--format", "cookiecutter")
    assert chosen.returncode == 0 and "copier.yml and" not in chosen.stderr, chosen.stderr
    assert_same(expected, tmp_path / "c")
    assert "_format: cookiecutter" in (tmp_path / "c" / ".mlrepro" / "answers.yml").read_text()
    check = mlrepro(tmp_path, "check", "c")
    assert check.returncode == 0, check.stdout + check.stderr
    render = mlrepro(tmp_path, "render", "--template", "tpl", "--format", "cookiecutter", "cc.txt", "--no-probe")
    assert render.returncode == 0 and render.stdout == "cookiecutter from-cookiecutter\n", render.stderr
    assert "copier.yml and" not in render.stderr
    copier = mlrepro(tmp_path, "render", "--template", "tpl", "copier.txt.jinja", "--no-probe")
    assert copier.stdout == "copier from-copier\n" and copier.stderr.count("--format cookiecutter") == 1


@pytest.mark.parametrize("files,argument,message", [
    (BOTH, "nope", "--format 'nope' is not a template format"),
    ({"copier.yml": "a: {default: 1}\n"}, "cookiecutter", "has no ccds.json or cookiecutter.json"),
])
def test_format_errors(tmp_path: Path, files: dict[str, str], argument: str, message: str) -> None:
    write(tmp_path / "tpl", files)
    done = mlrepro(tmp_path, "init", "x", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--format", argument)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "x").exists()


# MARK: - Random values and the time

RANDOM = {
    "cookiecutter.json": json.dumps({"project_slug": "rnd", "key": "{{ random_ascii_string(16) }}"}),
    f"{SLUG}/a.txt": "{{ uuid4() }} {{ random_ascii_string(12) }} {{ random_ascii_string(8, punctuation=True) }}"
                     " {{ cookiecutter.key }}\n{% now 'utc', '%Y-%m-%d %H:%M' %}\n",
    f"{SLUG}/b.txt": "{{ uuid4() }}\n",
}
SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} [A-Za-z]{12} "
                   r"[A-Za-z!-/:-@\[-`{-~]{8} [A-Za-z]{16}\n\d{4}-\d\d-\d\d \d\d:\d\d\n")


def test_random_values_have_cookiecutters_shape_and_differ_without_a_seed(tmp_path: Path) -> None:
    template = write(tmp_path / "tpl", RANDOM)
    expected = cookiecutter(tmp_path, str(template))
    assert SHAPE.fullmatch((expected / "a.txt").read_text())
    first, second = init(tmp_path, "tpl", "one"), init(tmp_path, "tpl", "two")
    assert SHAPE.fullmatch((first / "a.txt").read_text()), (first / "a.txt").read_text()
    assert (first / "a.txt").read_text() != (second / "a.txt").read_text()


def test_a_seed_and_source_date_epoch_make_random_values_and_the_time_reproducible(tmp_path: Path) -> None:
    write(tmp_path / "tpl", RANDOM)
    seeded = environment(tmp_path, MLREPRO_SEED="study-1", SOURCE_DATE_EPOCH="86400")
    first, second = init(tmp_path, "tpl", "one", env=seeded), init(tmp_path, "tpl", "two", env=seeded)
    text = (first / "a.txt").read_text()
    assert SHAPE.fullmatch(text) and text.endswith("\n1970-01-02 00:00\n")
    assert snapshot(first) == snapshot(second)
    # Each file draws its own values; another seed draws others.
    assert (first / "b.txt").read_text().strip() != text.split()[0]
    other = init(tmp_path, "tpl", "three", env=environment(tmp_path, MLREPRO_SEED="study-2", SOURCE_DATE_EPOCH="86400"))
    assert (other / "a.txt").read_text() != text
    assert mlrepro(tmp_path, "check", "one", env=seeded).returncode == 0
    assert mlrepro(tmp_path, "check", "one").returncode == 1


# MARK: - Environment settings, line endings, `_cookiecutter`

SETTINGS = {
    "cookiecutter.json": json.dumps({"project_slug": "set", "name": "Ada", "n": 3, "license": ["MIT", "BSD"],
                                     "title": "{{ cookiecutter.name }}'s", "_new_lines": "\r\n",
                                     "_jinja2_env_vars": {"lstrip_blocks": True, "trim_blocks": True}}),
    f"{SLUG}/f.txt": "a {{ cookiecutter.name }}\n  {% if true %}\nb\n  {% endif %}\n{{ _cookiecutter }}\n",
    f"{SLUG}/crlf.txt": "one\r\ntwo\r\n",
}


@pytest.mark.parametrize("extra", [[], ["license=BSD", "name=Bob"]])
def test_jinja2_env_vars_new_lines_and_the_cookiecutter_options(tmp_path: Path, extra: list[str]) -> None:
    actual = compare(tmp_path, SETTINGS, extra)
    assert (actual / "f.txt").read_bytes().startswith(b"a " + (b"Bob" if extra else b"Ada") + b"\r\nb\r\n{")


def test_jinja2_env_vars_errors_name_the_setting(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"cookiecutter.json": json.dumps({"project_slug": "x", "_jinja2_env_vars": {"autoescape": True}}),
                             f"{SLUG}/x.txt": "x\n"})
    done = mlrepro(tmp_path, "init", "x", "--template", "tpl", "--defaults", "--no-git", "--no-probe")
    assert done.returncode == 2 and "_jinja2_env_vars.autoescape" in done.stderr and not (tmp_path / "x").exists()


# MARK: - Hooks in other languages

def test_hooks_run_by_their_shebang(tmp_path: Path) -> None:
    files = {"cookiecutter.json": json.dumps({"project_slug": "sb", "name": "x"}),
             f"{SLUG}/x.txt": "x\n",
             "hooks/post_gen_project": "#!/usr/bin/env bash\nset -e\nwords=(a b)\necho \"${words[1]} {{ cookiecutter.name }}\" > bash.txt\n",
             "hooks/pre_gen_project.sh": "#!/bin/sh\necho pre > pre.txt\n",
             "hooks/post_gen_project.py~": "raise SystemExit(1)\n"}
    write(tmp_path / "tpl", files)
    for hook in ("post_gen_project", "pre_gen_project.sh"):
        os.chmod(tmp_path / "tpl" / "hooks" / hook, 0o755)
    expected = cookiecutter(tmp_path, str(tmp_path / "tpl"))
    actual = init(tmp_path, "tpl", "ours", "--trust")
    assert_same(expected, actual)
    assert (actual / "bash.txt").read_text() == "b x\n"


def test_a_hook_mlrepro_cannot_run_is_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"cookiecutter.json": '{"project_slug": "x"}', f"{SLUG}/x.txt": "x\n",
                             "hooks/post_gen_project.js": "#!/usr/bin/env node\nconsole.log(1)\n"})
    done = mlrepro(tmp_path, "init", "x", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--trust")
    assert done.returncode == 2 and "post_gen_project.js" in done.stderr and not (tmp_path / "x").exists()


SCALARS = {
    "cookiecutter.json": json.dumps({"project_slug": "sc", "nothing": None, "ratio": 1.5, "flag": False, "count": 7}),
    f"{SLUG}/f.txt": "{% if cookiecutter.nothing %}set{% else %}unset{% endif %} {{ cookiecutter.nothing }} "
                     "{{ cookiecutter.ratio is string }} {{ cookiecutter.flag }} {{ cookiecutter.count + '1' }}\n"
                     "{{ cookiecutter | jsonify }}\n",
}


@pytest.mark.parametrize("extra", [[], ["nothing=given", "flag=yes", "count=8"]])
def test_null_number_and_boolean_variables(tmp_path: Path, extra: list[str]) -> None:
    compare(tmp_path, SCALARS, extra)


ORDERED_DICTS = {
    "cookiecutter.json": json.dumps({"project_slug": "od", "d": {"a": 1, "b": {"c": "x"}}, "_ext": {"a": 1, "l": [1, {"c": 2}]},
                                     "_empty": {}, "name": "n"}),
    f"{SLUG}/f.txt": "{{ cookiecutter }}\n{{ cookiecutter.d }}\n{{ cookiecutter._ext }}\n{{ cookiecutter._empty }}\n"
                     "{{ _cookiecutter }}\n{{ cookiecutter._ext.l }}\n{{ cookiecutter|length }} {{ cookiecutter._ext.a + 1 }}\n"
                     "{{ cookiecutter|jsonify }}\n",
}


def test_answers_with_newlines_and_tabs_render_as_cookiecutter_renders_them(tmp_path: Path) -> None:
    """cookiecutter takes any text for a variable (briefcase passes a module's source as `app_source`)."""
    compare(tmp_path, {"cookiecutter.json": json.dumps({"project_slug": "ml", "code": "", "name": "x"}),
                       f"{SLUG}/app.py": "{{ cookiecutter.code }}\n# {{ cookiecutter.name }}\n"},
            ["code=import sys\n\tprint(sys.argv)\n", "name=a\tb"])
    answers = tmp_path / "answers.yml"
    answers.write_text("code: |\n  line one\n  line two\n")
    made = init(tmp_path, str(tmp_path / "tpl"), "from-file", "--answers", str(answers))
    assert (made / "app.py").read_text() == "line one\nline two\n\n# x\n"
    check = mlrepro(tmp_path, "check", "from-file")
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("extra", [[], ["name=given"]])
def test_mappings_read_from_cookiecutter_json_print_as_ordered_dicts(tmp_path: Path, extra: list[str]) -> None:
    """`{{ cookiecutter }}`, `_cookiecutter` and `_name` mappings are Python OrderedDicts; rendered dict variables are dicts."""
    actual = compare(tmp_path, ORDERED_DICTS, extra)
    assert "OrderedDict([('a', 1), ('l', [1, OrderedDict([('c', 2)])])])" in (actual / "f.txt").read_text()


ORDERED_PPRINT = {
    "cookiecutter.json": json.dumps({"project_slug": "pp", "z_list": list(range(30)), "d": {"b": 1, "a": ["x" * 70, {"d": 1, "c": 2}]},
                                     "_ext": {"long_key_" + "k" * 60: "value " * 20, "short": 1}, "s": "word " * 30}),
    f"{SLUG}/f.txt": "{{ cookiecutter|pprint }}\n{{ cookiecutter._ext|pprint }}\n{{ cookiecutter.d|pprint }}\n"
                     "{{ cookiecutter.s|pprint }}\n{{ {'od': cookiecutter._ext, 'n': 1}|pprint }}\n",
}


def test_pprint_wraps_ordered_dicts_dicts_and_strings_as_python(tmp_path: Path) -> None:
    """`pprint` of cookiecutter's OrderedDicts (kept in order, items as pairs) and of plain dicts (sorted), wrapped at 80."""
    actual = compare(tmp_path, ORDERED_PPRINT)
    assert "OrderedDict([('project_slug', 'pp'),\n" in (actual / "f.txt").read_text()


# MARK: - Filters and the time

FILTERS = {
    "cookiecutter.json": json.dumps({"project_slug": "flt", "t": "Hello Wörld_x  Study"}),
    f"{SLUG}/f.txt": "{% now 'utc' + 'days=365', '%Y' %} {% now 'utc' - 'days=365, hours=1', '%Y' %} "
                     "{% now 'utc' + 'months=12', '%Y' %} {% now 'local', '%Y' %} {% now 'utc' %}\n"
                     "{{ cookiecutter.t|slugify }} {{ cookiecutter.t|slugify(separator='_') }} "
                     "{{ cookiecutter.t|slugify(max_length=8, word_boundary=True) }} "
                     "{{ cookiecutter.t|slugify(lowercase=False, allow_unicode=True) }} "
                     "{{ cookiecutter.t|slugify(stopwords=['study']) }} {{ cookiecutter.t|slugify(replacements=[['ö','oe']]) }} "
                     "{{ cookiecutter.t|slugify(regex_pattern='[^a-z]+') }}\n"
                     "{{ {'b': [1, 2], 'a': 'x'}|jsonify }} {{ {'b': 1}|jsonify(2) }} {{ {'b': 1}|jsonify(indent=None) }}\n",
}


def test_now_offsets_slugify_arguments_and_jsonify_indent(tmp_path: Path) -> None:
    compare(tmp_path, FILTERS)


SLUG_CASES = [("Straße 1,000 Ada's café", {}), ("ÉMILE Zola &amp; Co &#233; &#xE9;", {}),
              ("Hello World Study Again", {"max_length": 12, "word_boundary": True}),
              ("Hello World Study Again", {"max_length": 12}),
              ("Hello World Study", {"max_length": 9, "word_boundary": True, "save_order": True}),
              ("Ünïcödé Nämé", {"allow_unicode": True}), ("The Quick Fox", {"stopwords": ["the"]}),
              ("C++ and C#", {"replacements": [["++", "pp"], ["#", "sharp"]]}),
              ("Mixed CASE", {"lowercase": False, "separator": "_"}), ("a.b-c_d", {"regex_pattern": r"[^a-z_]+"}),
              ("Ελληνικά кириллица", {}), ("数据 分析 中文 Tool", {}), ("한국어 日本語のテキスト", {}),
              ("عربي עברית हिन्दी ไทย", {}), ("emoji 🎉 ✓ ★ ﬁ ① ㎏", {}), ("数据 分析", {"allow_unicode": True}),
              ("\uffff\ufffd\u00a0 edge", {})]


def test_slugify_follows_python_slugify(tmp_path: Path) -> None:
    from slugify import slugify  # python-slugify, which cookiecutter's filter calls
    template = "".join("{{ %s|slugify(%s) }}\n" % (json.dumps(text, ensure_ascii=False),
                                                     ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in kw.items()))
                       for text, kw in SLUG_CASES).replace("true", "True").replace("false", "False")
    (tmp_path / "t.txt").write_text(template, encoding="utf-8")
    done = mlrepro(tmp_path, "render", "t.txt")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "".join(slugify(text, **kw) + "\n" for text, kw in SLUG_CASES)


# MARK: - Command line

def test_force_overwrites_like_overwrite_if_exists_and_skip_tasks_like_accept_hooks_no(tmp_path: Path) -> None:
    files = {"cookiecutter.json": json.dumps({"project_slug": "ow", "name": "x"}),
             f"{SLUG}/a.txt": "{{ cookiecutter.name }}\n",
             "hooks/post_gen_project.py": "import pathlib\npathlib.Path('hook.txt').write_text('ran')\n"}
    template = write(tmp_path / "tpl", files)
    work = tmp_path / "cc"
    (work / "ow").mkdir(parents=True)
    (work / "ow" / "a.txt").write_text("old\n")
    (work / "ow" / "mine.txt").write_text("mine\n")
    shutil.copytree(work / "ow", tmp_path / "ours")
    made = subprocess.run([str(COOKIECUTTER), "--no-input", "-f", "--accept-hooks", "no", str(template), "name=y"],
                          cwd=work, capture_output=True, text=True, env=environment(tmp_path))
    assert made.returncode == 0, made.stderr
    ours = mlrepro(tmp_path, "init", "ours", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--quiet", "--force",
                   "--skip-tasks", "--data", "name=y")
    assert ours.returncode == 0, ours.stderr
    assert_same(work / "ow", tmp_path / "ours")


@pytest.mark.parametrize("source,message", [
    ("x.zip", "zip archives are not read as templates"),
    ("hg+https://example.org/repo", "Mercurial repositories are not read"),
    ("bb:owner/repo", "the bb: (Bitbucket) shorthand is not read"),
])
def test_sources_cookiecutter_reads_and_mlrepro_does_not_are_named(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "x.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    done = mlrepro(tmp_path, "init", "o", "--template", source, "--defaults", "--no-git", "--no-probe")
    assert done.returncode == 2 and message in done.stderr, done.stderr


@pytest.mark.parametrize("option", ["--skip-if-file-exists", "--directory", "--keep-project-on-failure", "--list-installed"])
def test_cookiecutter_options_mlrepro_lacks_are_refused(tmp_path: Path, option: str) -> None:
    done = mlrepro(tmp_path, "init", "o", option, "--defaults")
    assert done.returncode != 0 and f"Unknown option '{option}'" in done.stderr


def test_loop_controls_and_other_tag_extensions_are_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path / "tpl", {"cookiecutter.json": json.dumps({"project_slug": "x", "_extensions": ["jinja2.ext.loopcontrols"]}),
                             f"{SLUG}/x.txt": "x\n"})
    done = mlrepro(tmp_path, "init", "o", "--template", "tpl", "--defaults", "--no-git", "--no-probe", "--trust")
    assert done.returncode == 2 and "jinja2.ext.loopcontrols" in done.stderr and "{% break %}" in done.stderr


# MARK: - The feature matrix

def test_every_supported_row_names_a_test() -> None:
    """Each row of Docs/compatibility-cookiecutter.md marked `yes` names tests that exist here; each
    `no` row says what the user sees."""
    defined = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)\(", path.read_text(), re.MULTILINE))
    rows = [line for line in MATRIX.read_text().splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    checked = 0
    for row in rows:
        # A `|` inside a cell is written `\|`, as Markdown tables need.
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip("|"))]
        if "yes" not in cells and "no" not in cells:
            continue
        named = set(re.findall(r"`(test_\w+)`", cells[-1]))
        assert named <= defined, f"{row}: no such test {sorted(named - defined)}"
        if "yes" in cells:
            assert named, f"a supported row names no test: {row}"
        else:
            assert cells[-1], f"an unsupported row says nothing: {row}"
        checked += 1
    assert checked >= 60


def test_markup_safe_strings_render_like_cookiecutter(tmp_path: Path) -> None:
    """A markup-safe string (Markup): escaped once, kept by the filters and methods that keep it."""
    compare(tmp_path, {
        "cookiecutter.json": json.dumps({"project_slug": "mk", "name": "<b>Ann</b> &amp; co"}),
        f"{SLUG}/out.txt": "{{ cookiecutter.name|e|e }}|{{ cookiecutter.name|safe|e }}|{{ (cookiecutter.name|e) + '<b>' }}|{{ '<b>' + cookiecutter.name|safe }}|{{ (cookiecutter.name|e) ~ '<b>' }}\n"
                     "{{ (cookiecutter.name|e).upper()|e }}|{{ (cookiecutter.name|safe).replace('Ann', '<i>')|e }}|{{ cookiecutter.name|safe|urlize }}|{{ ('%s'|safe) % cookiecutter.name }}\n"
                     "{{ cookiecutter.name|e|trim|e }}|{{ cookiecutter.name|safe|truncate(9, true, '<>')|e }}|{{ (cookiecutter.name|safe)[1:4]|e }}|{{ cookiecutter.name|safe|title|e }}\n",
    })


PRIVATE_VALUES = {
    # `_` variables stay as the JSON has them (numbers stay numbers); `__` ones are rendered.
    "cookiecutter.json": json.dumps({"project_slug": "pv", "_nums": [7, 8, 9], "_map": {"a": 1, "b": "{{ x }}"},
                                     "__nums": [7, "{{ cookiecutter.project_slug }}"]}),
    f"{SLUG}/f.txt": "{% for n in cookiecutter._nums if n >= 8 %}{{ n }}{% endfor %} {{ cookiecutter._map.a + 1 }} "
                     "{{ cookiecutter._map.b }} {{ cookiecutter.__nums }}\n",
}


def test_private_variables_keep_their_json_values(tmp_path: Path) -> None:
    compare(tmp_path, PRIVATE_VALUES)


# MARK: - Folder modes: made under the user's umask, whatever mode the template's folder has

@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_folders_are_made_under_the_umask_as_cookiecutter_makes_them(tmp_path: Path, mask: int) -> None:
    template = write(tmp_path / "tpl", {"cookiecutter.json": json.dumps({"project_slug": "modes"}),
                                        f"{SLUG}/open/deep/f.txt": "{{ cookiecutter.project_slug }}\n",
                                        f"{SLUG}/private/g.txt": "g\n"})
    os.chmod(template / SLUG / "private", 0o700)
    previous = os.umask(mask)
    try:
        actual = compare(tmp_path, {})
    finally:
        os.umask(previous)
    for folder in ["open", "open/deep", "private"]:
        assert stat.S_IMODE((actual / folder).stat().st_mode) == 0o777 & ~mask, folder
