"""The ``cartshift`` command installed with the package: the Rust command line, in-process."""

import sys

from . import _native


def main() -> None:
    sys.exit(_native.cli(["cartshift", *sys.argv[1:]]))
