"""Report sections for the notebooks: one module per report, each composing metrics, charts and text."""
