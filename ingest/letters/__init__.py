"""The public mailbox at the edge (公共信箱): writing a letter, and the writer's status page."""
