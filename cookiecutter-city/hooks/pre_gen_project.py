"""Pre-generation hook of cookiecutter-city: refuse impossible answers, write nothing.

Cookiecutter renders this file with the answers before running it, then deletes the
project folder when it exits with an error. The checks live in ``city_answers``
beside cookiecutter.json, shared with the template's Jinja filters, so what is
refused here is exactly what could not be generated.
"""

from __future__ import annotations

import importlib
import json
import sys

# tojson escapes quotes as \u0027, so the answers cannot close this string.
ANSWERS = json.loads(r'''{{ cookiecutter | tojson }}''')


def main() -> int:
    sys.path.insert(0, ANSWERS["_repo_dir"])
    city_answers = importlib.import_module("city_answers")
    problems = city_answers.problems(ANSWERS)
    if not problems:
        return 0
    print("These answers cannot make a city plugin; nothing was generated:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print("Answer again (or correct your answers file) and rerun.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
