"""Write the labelled detection set: benchmarks/detection_cases/<language>/<class>/<label>_<variant>.<ext>
and expected.csv (file, class, cwe, vulnerable), from the templates in benchmarks/detection_casegen/.

    python benchmarks/make_detection_cases.py [--out benchmarks/detection_cases]

The folder is replaced as a whole, so a removed template leaves no stale case behind.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.detection_casegen.javascript import JAVASCRIPT  # noqa: E402
from benchmarks.detection_casegen.model import PER_LABEL, Case, Language, all_cases  # noqa: E402
from benchmarks.detection_casegen.php import PHP  # noqa: E402
from benchmarks.detection_casegen.python import PYTHON  # noqa: E402

LANGUAGES: tuple[Language, ...] = (PYTHON, PHP, JAVASCRIPT)
DEFAULT_OUT = Path(__file__).resolve().parent / "detection_cases"
EXPECTED = "expected.csv"


def case_path(case: Case, suffix: str) -> str:
    label = "true" if case.vulnerable else "false"
    return f"{case.language}/{case.klass}/{label}_{case.variant}{suffix}"


def check_counts(cases: list[Case]) -> None:
    """Every (language, class) has at least PER_LABEL true and PER_LABEL false cases."""
    counts = Counter((c.language, c.klass, c.vulnerable) for c in cases)
    short = [f"{lang}/{klass} {'true' if label else 'false'}: {n}"
             for (lang, klass, label), n in sorted(counts.items()) if n < PER_LABEL]
    groups = {(lang, klass) for lang, klass, _ in counts}
    missing = [f"{lang}/{klass} {'true' if label else 'false'}: 0" for lang, klass in sorted(groups)
               for label in (True, False) if (lang, klass, label) not in counts]
    if short or missing:
        raise SystemExit("too few cases: " + "; ".join(short + missing))


def write(out: Path) -> int:
    rows, seen = [], set()
    everything = [(language, case) for language in LANGUAGES for case in all_cases(language)]
    check_counts([case for _, case in everything])
    if out.exists():
        shutil.rmtree(out)
    for language, case in everything:
        relative = case_path(case, language.suffix)
        if relative in seen:
            raise SystemExit(f"two cases would be written to {relative}")
        seen.add(relative)
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.code, encoding="utf-8")
        rows.append((relative, case.klass, f"CWE-{case.cwe}", "true" if case.vulnerable else "false"))
    with (out / EXPECTED).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("file", "class", "cwe", "vulnerable"))
        writer.writerows(sorted(rows))
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    count = write(args.out)
    print(f"{count} cases in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
