"""What a benchmark says about the machine and the programs it ran: shared by the bench scripts."""

import subprocess


def first_line(command, env=None):
    """The first line `command` prints (a --version), or why there is none."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return f"unavailable ({e})"
    lines = (out.stdout + out.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, or "unknown"."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"
