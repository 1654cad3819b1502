"""The mailbox in scoring: per handling unit and month, what was received, answered on time,
replied, found satisfying and reopened."""
