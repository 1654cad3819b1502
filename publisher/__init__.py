"""Publisher: writes approved items into the portal (web-size photos, article, listing and home
pages, feeds and sitemaps in the site store, a bounded number of pages per item), takes
retracted items down, puts corrected ones back, and serves the site under ``/site/``.
See docs/portal.md."""
