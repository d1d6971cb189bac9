"""CSV and XLSX exports, streamed."""
