"""系统设置 (issue 27): settings administrators change in the web UI, stored in the database over the
environment's defaults; secrets encrypted at rest and never shown back."""
