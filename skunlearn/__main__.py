"""``python -m skunlearn``: the command-line unlearning report."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
