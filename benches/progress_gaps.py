#!/usr/bin/env python3
"""How responsive a sweep's progress bar is: runs a command with stderr on a pseudo-terminal (so
cartshift draws its bar, which it never does into a pipe) and prints the seconds to the first
draw, the longest gap between two draws, the number of draws and the wall-clock seconds.

    python3 benches/progress_gaps.py target/release/cartshift run SWEEP.toml -o OUT

A draw is a chunk of terminal output holding the word "points" (the bar's message while the
points are checked, then while they run); indicatif redraws at most 20 times a second, so gaps
below 0.05 s are the bar's own limit.
"""
import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time


def main(command):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    start = time.monotonic()
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    draws = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            if b"points" in data:
                draws.append(time.monotonic() - start)
        elif child.poll() is not None:
            break
    code = child.wait()
    wall = time.monotonic() - start
    gaps = [b - a for a, b in zip(draws, draws[1:])]
    first = f"{draws[0]:.2f}" if draws else "none"
    longest = f"{max(gaps):.2f}" if gaps else "none"
    print(f"first_draw_s={first} longest_gap_s={longest} draws={len(draws)} wall_s={wall:.2f} exit={code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
