"""Publisher: renders approved items into the portal (pages and web-size photos in the site
store), takes retracted items down, and serves the site under ``/site/``."""
