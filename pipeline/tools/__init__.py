"""Tool runners: one module per scanner (see base.ToolRunner), found by registry."""
