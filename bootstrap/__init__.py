"""The composition root: the one package that knows every component and wires them.

- ``processes``: the table of processes (what ``baosong up|api|worker|…`` runs)
- ``wiring``: ``bootstrap(settings, process) -> Runtime``, the one way to start Baosong
- ``runtime``: the wired process, which the entry points run and tests drive step by step
- ``components``: every component, its commands and tables; the context they are built on
- ``web``: the web app assembled from every component's routes
"""

from bootstrap.components import COMMANDS, build_context, metadata, prepare
from bootstrap.processes import PROCESSES, Jobs, Process, Runner
from bootstrap.runtime import Runtime
from bootstrap.web import readiness
from bootstrap.wiring import NeedsBroker, bootstrap

__all__ = ["COMMANDS", "PROCESSES", "Jobs", "NeedsBroker", "Process", "Runner", "Runtime",
           "bootstrap", "build_context", "metadata", "prepare", "readiness"]
