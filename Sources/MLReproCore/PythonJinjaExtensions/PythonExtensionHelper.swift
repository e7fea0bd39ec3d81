// The Python side of the extension bridge: `python3 -I -c <script> TEMPLATE_ROOT [SEARCH_PATH...]`.

enum PythonExtensionHelper {
    /// Reads one JSON request per line on stdin and answers one JSON line on stdout:
    ///
    ///     {"op": "load", "specs": ["extensions.py:Filters", "pkg.module.Ext"]}
    ///         -> {"ok": {"filters": [...], "tests": [...], "globals": {name: {"call": true} | {"value": v}},
    ///                    "hooks": n}}
    ///     {"op": "filter" | "test" | "global", "name": n, "args": [...], "kwargs": {...}} -> {"ok": value}
    ///     {"op": "hook", "context": {...}} -> {"ok": {changed or added keys: values}}
    ///
    /// and `{"error": "message"}` when a request fails. Values are JSON; what JSON cannot hold
    /// (dates, sets, objects) is sent as its `str()`, tuples as lists.
    static let script = #"""
import collections.abc
import importlib
import importlib.util
import json
import os
import sys
import traceback
import types

root = sys.argv[1]
search = sys.argv[1:]
real_stdout = sys.stdout
sys.stdout = sys.stderr  # what extensions print must not reach the protocol

try:
    import jinja2
    from jinja2.ext import Extension
except ImportError:
    real_stdout.write(json.dumps({"error": "the template's Python extensions need jinja2 in the python3 that runs them (pip install jinja2)"}) + "\n")
    real_stdout.flush()
    sys.exit(0)


def shim():
    """copier-template(s)-extensions' public classes, for when the package is not installed."""
    for name in ("copier_template_extensions", "copier_templates_extensions"):
        try:
            importlib.import_module(name)
            continue
        except ImportError:
            pass
        module = types.ModuleType(name)

        class ContextHook(Extension):
            def hook(self, context):
                raise NotImplementedError

        class TemplateExtensionLoader(Extension):
            pass

        ContextHook.__module__ = TemplateExtensionLoader.__module__ = name
        module.ContextHook = ContextHook
        module.TemplateExtensionLoader = TemplateExtensionLoader
        sys.modules[name] = module


shim()
# The helper's own imports are done: the template's folder may now serve its extensions'
# package imports (`pkg.module.Ext`), after the standard library and installed packages.
sys.path.append(root)
# As copier's environment: a loader on the template's folder, for extensions that read the
# template's files through it (jinja2_jsonschema's `jsonschema` filter, say).
env = jinja2.Environment(loader=jinja2.FileSystemLoader([os.path.realpath(root)]))
base_filters, base_tests, base_globals = dict(env.filters), dict(env.tests), dict(env.globals)
hooks = []


def load_class(spec):
    if ":" in spec:
        module_name, attribute = spec.split(":", 1)
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            for folder in search:
                path = os.path.join(folder, module_name)
                if os.path.isfile(path):
                    break
            else:
                raise LookupError("cannot find the extension module '%s' in the template" % module_name)
            stem = os.path.splitext(os.path.basename(module_name))[0]
            full = "copier_template_extensions." + stem
            loader_spec = importlib.util.spec_from_file_location(full, path)
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[full] = module
            loader_spec.loader.exec_module(module)
    else:
        module_name, _, attribute = spec.rpartition(".")
        module = importlib.import_module(module_name)
    return getattr(module, attribute)


def is_hook(instance):
    return any(c.__name__ == "ContextHook" and c.__module__.startswith("copier_template") for c in type(instance).__mro__[1:])


def to_json(value):
    if isinstance(value, jinja2.Undefined):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, collections.abc.Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, collections.abc.Sequence) and not isinstance(value, (bytes, bytearray)):
        return [to_json(v) for v in value]
    return str(value)


def load(specs):
    for spec in specs:
        try:
            cls = load_class(spec)
        except Exception as error:
            raise LookupError("cannot load the extension '%s': %s: %s" % (spec, type(error).__name__, error))
        tags = sorted(getattr(cls, "tags", None) or [])
        if tags:
            raise LookupError("the extension '%s' defines template tags (%s), which mlrepro cannot run"
                              % (spec, ", ".join("{%% %s %%}" % t for t in tags)))
        env.add_extension(cls)
        instance = env.extensions[cls.identifier]
        if is_hook(instance):
            hooks.append(instance)
    globals_ = {}
    for name, value in env.globals.items():
        if name in base_globals and base_globals[name] is value:
            continue
        globals_[name] = {"call": True} if callable(value) else {"value": to_json(value)}
    return {
        "filters": sorted(n for n, f in env.filters.items() if base_filters.get(n) is not f),
        "tests": sorted(n for n, t in env.tests.items() if base_tests.get(n) is not t),
        "globals": globals_,
        "hooks": len(hooks),
    }


last_context = {}


def call(function, args, kwargs):
    """Calls a filter, test or global as Jinja2 would, with what `pass_*` decorators ask for."""
    kind = getattr(function, "jinja_pass_arg", None)
    if kind is not None:
        name = getattr(kind, "name", str(kind))
        if name == "environment":
            args = [env] + args
        elif name == "eval_context":
            args = [jinja2.nodes.EvalContext(env)] + args
        else:
            args = [env.from_string("").new_context(dict(last_context))] + args
    return function(*args, **kwargs)


def run_hooks(context):
    global last_context
    last_context = context
    original = dict(context)
    for hook in hooks:
        result = hook.hook(context)
        # copier-template-extensions updates the context with whatever mapping the hook returns.
        if result is not None:
            context.update(result)
    changed = {}
    for key, value in context.items():
        if key not in original or json.dumps(to_json(original[key]), sort_keys=True) != json.dumps(to_json(value), sort_keys=True):
            changed[key] = to_json(value)
    return changed


for line in sys.stdin:
    try:
        request = json.loads(line)
        op = request["op"]
        if op == "load":
            result = load(request["specs"])
        elif op == "hook":
            result = run_hooks(request["context"])
        else:
            table = {"filter": env.filters, "test": env.tests, "global": env.globals}[op]
            result = to_json(call(table[request["name"]], list(request.get("args", [])), request.get("kwargs", {})))
        answer = {"ok": result}
    except Exception as error:
        detail = traceback.format_exception_only(type(error), error)[-1].strip()
        answer = {"error": detail}
    real_stdout.write(json.dumps(answer) + "\n")
    real_stdout.flush()
"""#
}
