"""The demo (`make run`, `iil-lms demo`, the tests and the bench): two academies' cohorts
described in cohorts.yaml, with a year's activity written through the app's services."""

from iil_lms.demo.build import DEFAULT_PASSWORD, build_demo
from iil_lms.demo.people import DemoLogin, pakistan_dates

__all__ = ["DEFAULT_PASSWORD", "DemoLogin", "build_demo", "pakistan_dates"]
