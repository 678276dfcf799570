#!/usr/bin/env python3
"""Build the practice-profile documents. Run `python build.py --help` for the commands."""

import sys
from pathlib import Path

if __name__ == "__main__":
    from profilepress import interrupts

    interrupts.watch()  # first: a Ctrl-C while the modules below load is recorded, not lost
    try:
        from profilepress.cli import main

        code = main(root=Path(__file__).resolve().parent)
    except KeyboardInterrupt:  # Ctrl-C before the command had begun (while its modules load): nothing done
        print(
            "interrupted; nothing was written, and the files already in the output folder are intact.", file=sys.stderr
        )
        code = 130
    sys.exit(code)
