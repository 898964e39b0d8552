"""The demo's accounts (also printed by `make run`). Development only."""

DEMO_OPERATOR = ("operator", "Wq-Platform#2026")
DEMO_SCHOOLS = [
    # name, 院校代码, subdomain, admin username, admin password
    ("邵阳学院", "10547", "syxy", "admin", "Syxy#Admin2026"),
    ("湖南大学", "10532", "hnu", "admin", "Hnu#Admin2026"),
]
# agreements demo (seed_demo_agreements): a verified employer's HR and a graduate with an invitation
DEMO_HR = ("hr_demo", "Demo#Hr-2026x")
DEMO_GRADUATE = ("2022000001", "Demo#Grad-2026")
