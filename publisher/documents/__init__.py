"""Documents, forms and meeting notices on the portal: a page per document, a column per kind,
the attachments served for download from the site store, 已废止 shown on a repealed one."""
