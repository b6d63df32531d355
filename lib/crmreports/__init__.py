"""crmreports: sales-analytics workbook suite for amoCRM / Kommo."""

__version__ = "0.1.0"
