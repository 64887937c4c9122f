"""Renders templates with jinja2 exactly as transformers' apply_chat_template does.

Used by jinja_oracle_test.cpp as an independent reference for the C++ engine.
Usage: jinja_oracle.py JOBS.json RESULTS.json
JOBS.json: [{"template": str, "variables": {...}}, ...]
RESULTS.json: [{"output": str} | {"error": "ExceptionType: message"}, ...] in job order.
Exit status 3 means jinja2 is not installed.
"""
import json
import sys
from datetime import datetime


def make_environment():
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # Mirrors transformers.utils.chat_template_utils._compile_jinja_template.
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.now().strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    try:
        env = make_environment()
    except ImportError as e:
        print(f"jinja2 is not available: {e}", file=sys.stderr)
        return 3
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    results = []
    for job in jobs:
        try:
            output = env.from_string(job["template"]).render(**job["variables"])
            results.append({"output": output})
        except Exception as e:  # every failure is a result to compare, not a crash
            results.append({"error": f"{type(e).__name__}: {e}"})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
