"""mlrepro(1) from the command's own description (`mlrepro --experimental-dump-help`, argument-parser's
ToolInfo JSON), so the man page lists exactly the options the binary parses."""
from __future__ import annotations

import json


def escape(text: str) -> str:
    """Text as roff prints it: backslashes doubled, a leading dot or quote guarded, dashes literal."""
    lines = []
    for line in text.replace("\\", "\\e").replace("-", "\\-").splitlines():
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def paragraphs(text: str) -> str:
    blocks = [block.strip() for block in text.strip().split("\n\n") if block.strip()]
    return "\n.PP\n".join(escape(block) for block in blocks)


def spelled(name: dict) -> str:
    prefix = {"long": "--", "short": "-", "longWithSingleDash": "-"}.get(name.get("kind", "long"), "--")
    return prefix + name["name"]


def argument_lines(argument: dict) -> str:
    if not argument.get("shouldDisplay", True):
        return ""
    names = argument.get("names") or []
    value = argument.get("valueName")
    if argument.get("kind") == "positional":
        label = f"\\fI{escape((value or 'value').upper())}\\fR"
    else:
        label = ", ".join(f"\\fB{escape(spelled(name))}\\fR" for name in names)
        if argument.get("kind") == "option" and value:
            label += f" \\fI{escape(value)}\\fR"
    text = argument.get("abstract", "")
    if argument.get("discussion"):
        text += "\n\n" + argument["discussion"]
    if argument.get("defaultValue") not in (None, ""):
        text += f" (default: {argument['defaultValue']})"
    if argument.get("isRepeating"):
        text += "" if "repeat" in text.lower() else " May be repeated."
    return f".TP\n{label}\n{paragraphs(text) if text else ''}\n"


def command_section(command: dict, path: list[str]) -> str:
    name = " ".join(path)
    out = f".SS {escape(name)}\n"
    if command.get("abstract"):
        out += paragraphs(command["abstract"]) + "\n"
    if command.get("discussion"):
        out += ".PP\n" + paragraphs(command["discussion"]) + "\n"
    out += "".join(argument_lines(argument) for argument in command.get("arguments") or [])
    for sub in command.get("subcommands") or []:
        if sub.get("shouldDisplay", True):
            out += command_section(sub, path + [sub["commandName"]])
    return out


def manual_page(dump: str, version: str, homepage: str) -> str:
    root = json.loads(dump)["command"]
    subcommands = [sub for sub in root.get("subcommands") or [] if sub.get("shouldDisplay", True)]
    page = [
        f'.TH MLREPRO 1 "" "mlrepro {escape(version)}" "User Commands"',
        ".SH NAME",
        f"mlrepro \\- {escape(root.get('abstract', ''))}",
        ".SH SYNOPSIS",
        ".B mlrepro",
        "\\fISUBCOMMAND\\fR [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        paragraphs(root.get("discussion", "") or root.get("abstract", "")),
        ".SH OPTIONS",
        "".join(argument_lines(argument) for argument in root.get("arguments") or []).rstrip("\n"),
        ".SH COMMANDS",
        "".join(command_section(sub, ["mlrepro", sub["commandName"]]) for sub in subcommands).rstrip("\n"),
        ".SH EXIT STATUS",
        "0 success; 1 drift (check) or conflicts left (update); 2 error; 130 interrupted.",
        ".SH SEE ALSO",
        escape(homepage),
    ]
    return "\n".join(line for line in page if line) + "\n"
