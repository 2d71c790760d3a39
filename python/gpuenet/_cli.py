"""Finding and running the ``gpuenet`` command line."""

import os
import shutil
import subprocess
from pathlib import Path


class GpuEnetError(ValueError):
    """The command line refused the data or the options; the message is its one-line error."""


def find_cli():
    """The command that runs ``gpuenet``, as a list of arguments.

    In order: the ``GPUENET_CLI`` environment variable (an executable, or a ``gpuenet.dll`` run with ``dotnet``);
    ``gpuenet`` on the PATH (``dotnet tool install`` puts it there); the repository's ``./gpuenet`` launcher when this
    package is used from a clone (it builds the CLI on first use).
    """
    configured = os.environ.get("GPUENET_CLI")
    if configured:
        return _command_for(configured)
    on_path = shutil.which("gpuenet")
    if on_path:
        return _command_for(on_path)
    launcher = Path(__file__).resolve().parent.parent.parent / "gpuenet"
    if launcher.is_file():
        return [str(launcher)]
    raise GpuEnetError(
        "cannot find the gpuenet command line: set GPUENET_CLI to its path, put gpuenet on the PATH, "
        "or use this package from a GpuEnet clone"
    )


def _command_for(path):
    return ["dotnet", path] if path.endswith(".dll") else [path]


def run_cli(args, cwd, quick_start=True):
    """Runs ``gpuenet ARGS`` in ``cwd``; returns its stdout. A non-zero exit raises GpuEnetError with its message.

    ``quick_start`` turns on .NET's tiered compilation (the CLI switches it off to have optimised code from the first
    call, which pays off on large problems): on small ones it halves the start-up that dominates the run.
    """
    command = find_cli() + [str(a) for a in args]
    env = dict(os.environ)
    if quick_start:
        env.setdefault("DOTNET_TieredCompilation", "1")
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        text = message[-1] if message else f"gpuenet exited with code {done.returncode}"
        if text.startswith("gpuenet: "):
            text = text[len("gpuenet: "):]
        raise GpuEnetError(text)
    return done.stdout
