"""pytest configuration of the whole suite (run by setup/test): at the root, so that
it applies to the addon's tests and to the demo checks.

A skipped test is not a pass: Odoo skips a tour silently when Chromium or
websocket-client is missing, and a report test skips without wkhtmltopdf. Any
skipped test makes the run fail.
"""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(
            f"FAILED: {len(skipped)} test(s) skipped; a skipped test is not a pass.",
            red=True,
        )
        session.exitstatus = 1
