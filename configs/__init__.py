"""xxgk: turn the narrative of Chinese 政府信息公开工作年度报告 into data.

The root package is the small core every subpackage imports (schema, stand-off records,
JSONL I/O and validation, corpus loading); it imports none of them.
"""

__version__ = "0.1.0"
