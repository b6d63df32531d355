"""How a report is shown: the run context, self-displaying sections and the section kit, the chart theme,
and rendering executed notebooks to HTML and PDF."""
