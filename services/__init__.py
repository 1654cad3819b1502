"""The shared kernel: settings, the database, the event envelope, outbox and inbox, the buses,
object storage and identity. No business rules live here, and nothing here imports a component:
the composition root (``bootstrap``) wires them together, above it."""
