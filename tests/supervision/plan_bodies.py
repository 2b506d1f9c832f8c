"""The plan's bodies as the routing and assessment tests create them: the departments by code and name, the six
townships by name (PLAN.md)."""

DEPARTMENTS = (
    ("party_office", "市委办"),
    ("gov_office", "市政府办"),
    ("staffing", "市委编办"),
    ("education", "市教体局"),
    ("development", "市发改委"),
    ("hr", "市人社局"),
    ("housing", "市住建局"),
    ("natural_resources", "市自然资源局"),
)
TOWNSHIPS = ("茶山街道", "甘露镇", "江益镇", "金湖乡", "泽泉乡", "苏家垱乡")
