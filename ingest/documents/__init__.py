"""Documents, forms and meeting notices received from the commission's offices (网上办事), and
the registrations for meetings that informants send from their desk."""
