"""Test data, built through the real services (never rows written around them).

- common: passwords, actors, image bytes, credit codes (shared by every module below)
- students: rosters and graduates (CSV/xlsx bytes, imports, college admins)
- employers: registrations, the directory, clean-up of public rows
- agreements: a school's cast (colleges, admins, approved graduates), verified employers, offers

factory_boy is not used: model factories would write rows around the services, whose rules
(masking, audit, the search index) the tests are there to exercise.
"""
