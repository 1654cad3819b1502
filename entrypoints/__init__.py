"""The entry points: the ``baosong`` command line and what runs a process to its end. They start
Baosong only through the composition root (``bootstrap``), below them."""
