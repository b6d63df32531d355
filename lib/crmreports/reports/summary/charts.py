"""Charts of the summary («Сводный отчёт»): none — the summary is two A4 pages of tables and sentences, and every
chart it would show is in the report it links to."""
