"""All benchmarks in one command: `python bench/run.py` (about five minutes on a 2-core machine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    for script in ("interactions.py", "cards.py", "fanout.py", "scaleout.py"):
        print(f"\n## {script}\n", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *sys.argv[1:2]])
    sys.exit(status)
