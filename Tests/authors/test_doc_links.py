"""Every relative link and anchor in the repository's Markdown files resolves.

Links are read from Markdown text outside code (fenced blocks and inline code spans are skipped):
inline links `[text](target)`, images and reference definitions `[name]: target`. A target with a
scheme (`https:`, `mailto:`) is left alone. A path must name a file or folder of the repository,
relative to the Markdown file; an anchor (`#part`, `file.md#part`) must be a heading of that
Markdown file, as GitHub spells heading anchors, or an explicit `<a id="...">`/`<a name="...">`.
Also checked: the conformance case count that Docs/template-language.md states.
"""

import json
import re
import subprocess
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIPPED_FOLDERS = {".build", ".git", ".venv", "out", "dist", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"<a\s+[^>]*(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def markdown_files(root: Path) -> list[Path]:
    """The repository's Markdown files: git's tracked and untracked (not ignored) ones, else a walk."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"],
                                cwd=root, capture_output=True, check=True).stdout
        paths = [root / name for name in listed.decode().split("\0") if name]
        return sorted(path for path in paths if path.is_file())
    except (OSError, subprocess.CalledProcessError):
        return sorted(path for path in root.rglob("*.md")
                      if not SKIPPED_FOLDERS.intersection(path.relative_to(root).parts))


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks, inline code spans blanked out."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        lines.append((number, line))
    return lines


def blank_code(text: str) -> str:
    return INLINE_CODE.sub(lambda match: " " * len(match.group(0)), text)


def github_anchor(heading: str) -> str:
    """GitHub's anchor for a heading's text: markup dropped, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)      # links keep their text
    text = re.sub(r"<[^>]+>", "", text)                             # inline HTML
    text = text.replace("`", "").lower()
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if character in "-_ " or category[0] in "LN" or category == "Mn":
            kept.append("-" if character == " " else character)
    return "".join(kept)


def anchors(path: Path) -> set[str]:
    found, counts = set(), {}
    text = path.read_text(encoding="utf-8")
    for _, line in prose_lines(text):
        match = HEADING.match(line)
        if match:
            base = github_anchor(match.group(2))
            count = counts.get(base, 0)
            counts[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(EXPLICIT_ANCHOR.findall(line))
    return found


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every inline link, image and reference definition outside code."""
    found = []
    lines = prose_lines(text)
    # Inline links may wrap onto the next line: join each paragraph, keep each link's first line.
    paragraph: list[tuple[int, str]] = []
    for item in lines + [(0, "")]:
        if item[1].strip():
            paragraph.append(item)
            continue
        if paragraph:
            joined, starts = "", []
            for number, line in paragraph:
                starts.append((len(joined), number))
                joined += blank_code(line) + "\n"
            for match in INLINE_LINK.finditer(joined):
                line_number = max(number for offset, number in starts if offset <= match.start())
                found.append((line_number, match.group(1)))
            for match in REFERENCE.finditer(joined):
                line_number = max(number for offset, number in starts if offset <= match.start())
                found.append((line_number, match.group(1)))
        paragraph = []
    return found


def problems(root: Path, files: list[Path]) -> list[str]:
    """`file:line: message` for every relative link or anchor that does not resolve."""
    found = []
    anchor_cache: dict[Path, set[str]] = {}
    for path in files:
        shown = path.relative_to(root)
        for number, target in links(path.read_text(encoding="utf-8")):
            if not target or SCHEME.match(target) or target.startswith("//"):
                continue
            location, _, fragment = target.partition("#")
            location, fragment = unquote(location.split("?")[0]), unquote(fragment)
            if location.startswith("/"):
                found.append(f"{shown}:{number}: '{target}' is absolute; links must be relative to the file")
                continue
            resolved = (path.parent / location).resolve() if location else path
            try:
                resolved.relative_to(root)
            except ValueError:
                found.append(f"{shown}:{number}: '{target}' leads outside the repository")
                continue
            if not resolved.exists():
                found.append(f"{shown}:{number}: '{target}': {location} does not exist")
                continue
            if fragment and resolved.suffix == ".md" and resolved.is_file():
                if resolved not in anchor_cache:
                    anchor_cache[resolved] = anchors(resolved)
                if fragment not in anchor_cache[resolved]:
                    found.append(f"{shown}:{number}: '{target}': no heading or anchor '#{fragment}' in "
                                 f"{resolved.relative_to(root)}")
    return found


def test_every_relative_link_and_anchor_in_the_repository_resolves():
    files = markdown_files(REPO)
    assert REPO / "README.md" in files and REPO / "Docs" / "README.md" in files
    assert problems(REPO, files) == []


def test_docs_pages_are_all_in_the_table_of_contents():
    contents = (REPO / "Docs" / "README.md").read_text(encoding="utf-8")
    listed = {target.partition("#")[0] for _, target in links(contents)}
    pages = {path.name for path in (REPO / "Docs").glob("*.md") if path.name != "README.md"}
    assert pages - listed == set()


def test_the_stated_conformance_case_count_is_the_real_one():
    cases = json.loads((REPO / "Tests" / "TemplateEngineTests" / "Conformance" / "cases.json").read_text(encoding="utf-8"))
    if isinstance(cases, dict):
        cases = cases.get("cases", cases)
    page = (REPO / "Docs" / "template-language.md").read_text(encoding="utf-8")
    stated = re.search(r"renders\s+([\d,]+)\s+cases", page)
    assert stated, "Docs/template-language.md no longer states how many conformance cases there are"
    assert int(stated.group(1).replace(",", "")) == len(cases)


# The checker itself, on small fixtures: it must find what is broken and pass what is not.

@pytest.fixture
def tree(tmp_path):
    (tmp_path / "Docs").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.swift").write_text("\n")
    (tmp_path / "Docs" / "guide.md").write_text(
        "# Guide\n\n## Using `init` [DEST]\n\n## Using `init` [DEST]\n\n## Ünïcode & co.\n\n<a id=\"custom\"></a>\n")
    return tmp_path


def write(root: Path, text: str) -> list[str]:
    (root / "README.md").write_text(text)
    return problems(root, [root / "README.md", root / "Docs" / "guide.md"])


def test_checker_passes_links_that_resolve(tree):
    assert write(tree, "[a](Docs/guide.md) [b](Docs/guide.md#guide) [c](Docs/guide.md#using-init-dest-1)\n"
                       "[d](Docs/guide.md#ünïcode--co) [e](Docs/guide.md#custom) [f](src/main.swift#L1) [g](src/)\n"
                       "[h](#top) [i](https://example.org/missing) [j](mailto:a@b.c)\n\n# Top\n\n"
                       "[ref]: Docs/guide.md#using-init-dest\n") == []


def test_checker_finds_a_missing_file_a_missing_anchor_and_a_link_outside(tree):
    found = write(tree, "intro\n\nsee [the guide](Docs/gide.md) and\n[a part](Docs/guide.md#nowhere),\n"
                        "[up](../elsewhere.md), [root](/README.md), [self](#missing)\n\n[ref]: Docs/none.md\n")
    assert found == [
        "README.md:3: 'Docs/gide.md': Docs/gide.md does not exist",
        "README.md:4: 'Docs/guide.md#nowhere': no heading or anchor '#nowhere' in Docs/guide.md",
        "README.md:5: '../elsewhere.md' leads outside the repository",
        "README.md:5: '/README.md' is absolute; links must be relative to the file",
        "README.md:5: '#missing': no heading or anchor '#missing' in README.md",
        "README.md:7: 'Docs/none.md': Docs/none.md does not exist",
    ]


def test_checker_ignores_links_in_code(tree):
    assert write(tree, "```md\n[a](missing.md)\n```\n\n`[b](missing.md)` and ``[c](x.md)``\n\n"
                       "~~~\n[d](missing.md)\n~~~\n") == []
