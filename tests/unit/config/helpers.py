"""Shared test material for the config tests."""

MINI_SCHEDULER = '''"""A stand-in for the public Scheduler: only what the loader relies on."""

from ysched_tui.core.models import JobSource, JobSpec, PythonTarget


class MiniScheduler:
    def __init__(self):
        self.functions = {}

    def job(self, code):
        def register(function):
            self.functions[code] = function
            return function
        return register

    def collect_jobs(self):
        specs = [
            JobSpec(code=code, target=PythonTarget(ref=f"{f.__module__}:{f.__name__}"),
                    source=JobSource.API)
            for code, f in self.functions.items()
        ]
        return specs, dict(self.functions)
'''
