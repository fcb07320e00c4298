"""``python -m skunlearn``: the command-line unlearning report."""

import sys

from ._cli import main

if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("python -m skunlearn: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
