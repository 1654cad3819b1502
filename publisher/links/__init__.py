"""The websites the portal links to (a county's, an enterprise's): checked on a clock, a dead one
marked for the admin, never removed by the checker itself."""
