"""Building documents: one report (run), a pack of reports in parallel (pack), its index page, warm kernels."""
